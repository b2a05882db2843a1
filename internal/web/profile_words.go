package web

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/civis-id/civis/internal/proofing"
)

// The profile page's words: field errors, check reasons, registries, states. Every lookup
// goes from the most specific message to the most general, so that one code ("series_invalid")
// can say what each document's series looks like.

// profileErrPrefix starts the messages of field errors; profile.js gets all of them and looks
// them up the same way (profileErrText).
const profileErrPrefix = "profile_err_"

// profileErrText translates a field error code for field of an item's scope (see
// profileScope): profile_err_<scope>_<field>_<code>, profile_err_<scope>_<code>,
// profile_err_<code>, then the pages' common field_<code>.
func profileErrText(v *view, scope, field, code string) string {
	var keys []string
	if field != "" {
		keys = append(keys, profileErrPrefix+scope+"_"+field+"_"+code)
	}
	keys = append(keys, profileErrPrefix+scope+"_"+code, profileErrPrefix+code)
	for _, k := range keys {
		if v.Has(k) {
			return v.T(k)
		}
	}
	return fieldMessage(v, code)
}

// profileScope names the rules an item's fields follow: the identity document's depend on its
// type, and both addresses follow the same.
func profileScope(item proofing.Item, docType string) string {
	switch item {
	case proofing.ItemIDDoc:
		switch strings.ToUpper(strings.TrimSpace(docType)) {
		case proofing.RFPassport:
			return "rf_passport"
		case proofing.ForeignPassport:
			return "frgn_pass"
		}
	case proofing.ItemRegistrationAddress, proofing.ItemActualAddress:
		return "address"
	}
	return string(item)
}

// profileErrKeys are the ids of the field error messages, read once from the catalog.
var profileErrKeys = sync.OnceValue(func() []string {
	b, err := fs.ReadFile(localeFS, "locales/profile.ru.toml")
	if err != nil {
		return nil
	}
	var raw map[string]any
	if toml.Unmarshal(b, &raw) != nil {
		return nil
	}
	var out []string
	for k := range raw {
		if strings.HasPrefix(k, profileErrPrefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
})

// profileClientMessages is the JSON object of every field error message, for profile.js.
func profileClientMessages(v *view) string {
	m := map[string]string{}
	for _, k := range profileErrKeys() {
		m[k] = v.T(k)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// profileReason explains a check's reason code in words, naming the registry.
func profileReason(v *view, registry, reason string) string {
	if reason == "" {
		return ""
	}
	reg := profileRegistry(v, registry)
	for _, k := range []string{"profile_reason_" + registry + "_" + reason, "profile_reason_" + reason} {
		if v.Has(k) {
			return v.T(k, "Registry", reg)
		}
	}
	return v.T("profile_reason_other", "Registry", reg, "Code", reason)
}

// profileRegistry names a registry ("the pension fund").
func profileRegistry(v *view, name string) string {
	if v.Has("profile_registry_" + name) {
		return v.T("profile_registry_" + name)
	}
	return name
}

// profileLabel is the label of field of item ("" for a one-value item).
func profileLabel(v *view, item proofing.Item, field string) string {
	if field == "" {
		return v.T("profile_label_" + string(item))
	}
	return profileFirst(v, "profile_label_", item, field)
}

// profileHint is the hint under field of item, or "".
func profileHint(v *view, item proofing.Item, field string) string {
	if field == "" {
		field = string(item)
		item = ""
	}
	if k := profileKey(v, "profile_hint_", item, field); k != "" {
		return v.T(k)
	}
	return ""
}

// profileFirst translates the first of prefix+item_field, prefix+scope_field, prefix+field.
func profileFirst(v *view, prefix string, item proofing.Item, field string) string {
	if k := profileKey(v, prefix, item, field); k != "" {
		return v.T(k)
	}
	return v.T(prefix + field)
}

func profileKey(v *view, prefix string, item proofing.Item, field string) string {
	keys := []string{prefix + field}
	if item != "" {
		keys = []string{prefix + string(item) + "_" + field, prefix + profileScope(item, "") + "_" + field, prefix + field}
	}
	for _, k := range keys {
		if v.Has(k) {
			return k
		}
	}
	return ""
}

// profileShow writes a field's value in words for the comparison of versions.
func profileShow(v *view, f profileField, value string) string {
	switch {
	case value == "":
		return "—"
	case f.Kind == "gender" || f.Kind == "doc_type":
		if k := "profile_value_" + strings.ToLower(value); v.Has(k) {
			return v.T(k)
		}
	}
	return value
}

// profileSpot is where a field error belongs on the page.
type profileSpot struct {
	Item  proofing.Item
	Field string // "" for the whole item
	Row   int    // a vehicle's index
	ID    string // the input's id, or the section's for the whole item
}

// profilePathRE reads a field error's path: "personal.birth_date", "vehicles[1].plate", "snils".
var profilePathRE = regexp.MustCompile(`^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?$`)

// profileLocate finds the element of a field error's path; ok is false for a path the page
// has no place for.
func profileLocate(path string) (profileSpot, bool) {
	m := profilePathRE.FindStringSubmatch(path)
	if m == nil {
		return profileSpot{}, false
	}
	sec, ok := profileSectionOf(proofing.Item(m[1]))
	if !ok {
		return profileSpot{}, false
	}
	row, _ := strconv.Atoi(m[2])
	s := profileSpot{Item: sec.Item, Field: m[3], Row: row}
	known := slices.ContainsFunc(sec.Fields, func(f profileField) bool { return f.Name == s.Field })
	switch {
	case sec.single():
		s.Field, s.ID = "", string(sec.Item)
	case s.Field == "" || !known:
		s.Field, s.ID = "", "section-"+string(sec.Item)
	default:
		s.ID = profileInputID(sec.Item, s.Field, row)
	}
	return s, true
}

// profileSpotLabel names the place of an error in the error summary.
func profileSpotLabel(v *view, s profileSpot) string {
	switch {
	case s.Field == "" && s.ID != string(s.Item):
		return v.T("profile_section_" + string(s.Item))
	case s.Item == proofing.ItemVehicles:
		return v.T("profile_vehicle_n", "N", s.Row+1) + ", " + profileLabel(v, s.Item, s.Field)
	}
	return profileLabel(v, s.Item, s.Field)
}

// addProfileError ties msg to the element id and lists it in the error summary under label.
func (v *view) addProfileError(id, label, msg string) {
	if v.errs == nil {
		v.errs = map[string][]string{}
	}
	if slices.Contains(v.errs[id], msg) {
		return
	}
	v.errs[id] = append(v.errs[id], msg)
	v.Summary = append(v.Summary, fieldMsg{ID: id, Text: label + ": " + msg})
}
