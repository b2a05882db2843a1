package settings

import "testing"

func TestNormalizeAnswer(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  Ёлкина  Петровна ", "елкина петровна"},
		{"ЕЛКИНА\tпетровна", "елкина петровна"},
		{"Straße", "strasse"},
		{"Ｍｏｓｃｏｗ", "moscow"},  // full-width letters
		{"\u0438\u0306", "й"}, // й decomposed (и + breve) composes
		{"", ""},
	} {
		if got := NormalizeAnswer(tc.in); got != tc.want {
			t.Errorf("NormalizeAnswer(%q) got %q, want %q", tc.in, got, tc.want)
		}
	}
}
