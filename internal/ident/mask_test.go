package ident

import "testing"

func TestMask(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{MaskPhone("+79161234567"), "+7 916 ***-**-67"},
		{MaskPhone("+4915112345678"), "+4**********78"},
		{MaskPhone("+7"), "***"},
		{MaskEmail("ivan.petrov@example.ru"), "i***@example.ru"},
		{MaskEmail("я@пример.рф"), "я***@пример.рф"},
		{MaskEmail("broken"), "***"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
