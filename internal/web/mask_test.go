package web

import (
	"testing"

	"github.com/civis-id/civis/internal/account"
)

func TestMaskContact(t *testing.T) {
	for _, tc := range []struct {
		kind     account.ContactKind
		in, want string
	}{
		{account.Phone, "+79161234567", "+7 916 ***-**-67"},
		{account.Phone, "+4915112345678", "+4**********78"},
		{account.Email, "ivan.petrov@example.ru", "i***@example.ru"},
		{account.Email, "я@пример.рф", "я***@пример.рф"},
		{account.Email, "broken", "***"},
	} {
		if got := maskContact(tc.kind, tc.in); got != tc.want {
			t.Errorf("maskContact(%s, %q) got %q, want %q", tc.kind, tc.in, got, tc.want)
		}
	}
}
