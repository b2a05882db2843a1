package notice_test

import (
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notice"
)

// TestTemplatesCompose renders every account-care message in both languages and channels.
func TestTemplatesCompose(t *testing.T) {
	data := map[string]any{"Code": "123456", "Minutes": "5", "Name": "Анна", "Site": "https://civis.example",
		"Centers": "https://civis.example/centers?service=recover", "Kind": "phone", "Until": "23.12.2026"}
	for _, tpl := range []messages.Template{messages.RecoveryCode, messages.RecoveryPhoneOnly, messages.PasswordRecovered,
		messages.PasswordChanged, messages.ContactCode, messages.ContactChanged, messages.ContactClaimed,
		messages.AccountDeleted, messages.AccountRestored} {
		for _, lang := range []string{"ru", "en"} {
			for _, ch := range []string{"sms", "email"} {
				subject, body, err := messages.Compose(tpl, ch, lang, data)
				if err != nil || subject == "" || body == "" || strings.Contains(body, "<no value>") {
					t.Errorf("%s %s %s: %q %q %v", tpl, lang, ch, subject, body, err)
				}
			}
		}
	}
}

func TestPrefs(t *testing.T) {
	p := notice.Prefs{notice.SignIn: {SMS: true}, "fax": {Email: true}}
	if err := p.Validate(); err == nil {
		t.Error("Validate accepts an unknown kind")
	}
	m := p.Merge()
	if !m[notice.SignIn].SMS || !m[notice.Password].Email || len(m) != len(notice.Kinds) {
		t.Errorf("Merge got %v", m)
	}
}
