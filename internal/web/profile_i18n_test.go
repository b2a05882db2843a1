package web

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/registry"
)

// profileFieldCodes are the field error codes of the proofing service (validate.go,
// validate_docs.go, submit.go, patch.go, the registry's document shapes) and of ident.
var profileFieldCodes = []string{"required", "too_long", "too_many", "invalid_characters", "invalid_choice",
	"too_young", "country_invalid", "date_invalid", "date_too_early", "date_in_future", "expiry_before_issue",
	"document_expired", "snils_invalid", "snils_checksum", "inn_invalid", "inn_checksum", "series_invalid",
	"number_invalid", "department_code_invalid", "not_applicable", "plate_invalid", "duplicate", "zip_code_invalid",
	"unknown_field", "document_type_mismatch", "issued_before_birth", "issued_before_14", "field_locked",
	"type_invalid", "issue_date_invalid", "expiry_date_invalid", "issuer_invalid", "invalid", "wrong_type"}

// proofingReasons reads the reason codes of failed checks from the proofing source, so that a
// new reason without words fails here.
func proofingReasons(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../proofing/reasons.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\s+"([a-z_]+)":`).FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) < 10 {
		t.Fatalf("found only %d reasons in reasons.go", len(out))
	}
	return out
}

func TestProfileWordsTranslated(t *testing.T) {
	b, err := newBundle()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range profileFieldCodes {
		ids = append(ids, profileErrPrefix+c)
	}
	for _, r := range proofingReasons(t) {
		ids = append(ids, "profile_reason_"+r)
	}
	for _, reg := range []string{registry.NameSNILS, registry.NameDocument, registry.NameINN} {
		ids = append(ids, "profile_registry_"+reg, "profile_checks_"+reg, "profile_reason_"+reg+"_not_found",
			"profile_reason_"+reg+"_name_mismatch", "profile_reason_"+reg+"_birth_date_mismatch")
	}
	for _, s := range []proofing.ItemState{proofing.ItemEmpty, proofing.ItemDraft, proofing.ItemChecking,
		proofing.ItemFailed, proofing.ItemVerified} {
		ids = append(ids, "profile_state_"+string(s))
	}
	for _, s := range []proofing.CheckState{proofing.CheckPending, proofing.CheckVerified, proofing.CheckFailed,
		proofing.CheckSkipped, proofing.CheckCancelled} {
		ids = append(ids, "profile_check_state_"+string(s))
	}
	for _, s := range []string{"none", "checking", "verified", "failed"} {
		ids = append(ids, "profile_verification_"+s)
	}
	for _, s := range []string{"none", "draft", "checking", "failed", "verified", "kept"} {
		ids = append(ids, "profile_cabinet_"+s)
	}
	for _, c := range []string{"validation_failed", "field_locked", "check_in_progress", "nothing_to_check",
		"snils_taken", "unavailable"} {
		ids = append(ids, "profile_problem_"+c)
	}
	for _, lang := range languages {
		tr := translator{loc: i18n.NewLocalizer(b, lang)}
		for _, id := range ids {
			if !tr.Has(id) {
				t.Errorf("%s: no message %s", lang, id)
			}
		}
		checkProfileLabels(t, &view{translator: tr, Lang: lang})
	}
}

// checkProfileLabels checks that every section and input of the page has its words.
func checkProfileLabels(t *testing.T, v *view) {
	t.Helper()
	for _, sec := range profileSections {
		for _, id := range []string{"profile_section_" + string(sec.Item), "profile_group_" + profileGroup(sec.Item)} {
			if !v.Has(id) {
				t.Errorf("%s: no message %s", v.Lang, id)
			}
		}
		for _, f := range sec.Fields {
			if l := profileLabel(v, sec.Item, f.Name); strings.HasPrefix(l, missingMark) {
				t.Errorf("%s: %s.%s has no label", v.Lang, sec.Item, f.Name)
			}
		}
	}
}

// TestProfileScriptRules checks that profile.js knows every rule the inputs name.
func TestProfileScriptRules(t *testing.T) {
	js, err := staticFS.ReadFile("static/profile.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range profileSections {
		for _, f := range sec.Fields {
			if f.Check != "" && !regexp.MustCompile(`\n\s+`+f.Check+`: `).Match(js) {
				t.Errorf("profile.js has no rule %q (%s.%s)", f.Check, sec.Item, f.Name)
			}
		}
	}
}

func TestProfileLocate(t *testing.T) {
	for _, tc := range []struct{ path, id, field string }{
		{"personal.birth_date", "personal-birth_date", "birth_date"},
		{"personal", "section-personal", ""},
		{"snils", "snils", ""},
		{"vehicles[2].plate", "vehicles-2-plate", "plate"},
		{"vehicles", "section-vehicles", ""},
		{"id_doc.division_code", "section-id_doc", ""},
	} {
		s, ok := profileLocate(tc.path)
		if !ok || s.ID != tc.id || s.Field != tc.field {
			t.Errorf("profileLocate(%q) = %+v %v, want id %q field %q", tc.path, s, ok, tc.id, tc.field)
		}
	}
	if _, ok := profileLocate("passport.number"); ok {
		t.Error("profileLocate found a place for an unknown item")
	}
}

func TestProfileDates(t *testing.T) {
	for in, want := range map[string]string{"14.03.1985": "1985-03-14", "1.3.1985": "1985-03-01",
		"14/03/1985": "1985-03-14", " 1985-03-14 ": "1985-03-14", "14.03.85": "14.03.85"} {
		if got := readDate(in); got != want {
			t.Errorf("readDate(%q) = %q, want %q", in, got, want)
		}
	}
	if got := showDate("1985-03-14"); got != "14.03.1985" {
		t.Errorf("showDate = %q", got)
	}
}
