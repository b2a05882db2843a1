package ident

import "testing"

// checkIdempotent fails when fn accepts in but does not return its own output
// unchanged.
func checkIdempotent(t *testing.T, name string, fn func(string) (string, error), in string) {
	t.Helper()
	out, err := fn(in)
	if err != nil {
		if errCode(err) == "?" {
			t.Fatalf("%s(%q) returned a non-*Error error: %v", name, in, err)
		}
		return
	}
	again, err := fn(out)
	if err != nil || again != out {
		t.Fatalf("%s(%q) = %q, but %s(%q) = %q, %v", name, in, out, name, out, again, err)
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+7 916 123-45-67", "8 (916) 1234567", "9161234567", "7 916 123 45 67", "+7 701 1234567", "+1 202 555 0100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkIdempotent(t, "NormalizePhone", NormalizePhone, s)
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"user@example.ru", " A@B.RU ", "User <u@x.ru>", `"q"@x.ru`, "ПОЧТА@пример.рф", "a@[1.2.3.4]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkIdempotent(t, "NormalizeEmail", NormalizeEmail, s)
	})
}

func FuzzNormalizeSNILS(f *testing.F) {
	for _, s := range []string{"112-233-445 95", "11223344595", "112 233 445 95", "001-001-998 12", "999-999-999 01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkIdempotent(t, "NormalizeSNILS", NormalizeSNILS, s)
	})
}

func FuzzLoginCandidates(f *testing.F) {
	for _, s := range []string{"89161234520", "a@B.ru", "112-233-445 95", "garbage", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range LoginCandidates(s) {
			again := LoginCandidates(l.Value)
			if !containsLogin(again, l) {
				t.Fatalf("LoginCandidates(%q) gave %v, but LoginCandidates(%q) = %v", s, l, l.Value, again)
			}
		}
	})
}

func containsLogin(ls []Login, want Login) bool {
	for _, l := range ls {
		if l == want {
			return true
		}
	}
	return false
}
