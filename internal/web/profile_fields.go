package web

import (
	"strconv"

	"github.com/civis-id/civis/internal/proofing"
)

// The inputs of the profile page, one form per profile item. Input names are the item's JSON
// field names (the API's), element ids are "<item>-<field>" ("<item>" for an item that is
// one value, "vehicles-<row>-<field>" for a vehicle), so that a field error's path maps to
// its input.

// profileField is one input of a profile form.
type profileField struct {
	Name     string // the item's JSON field; "" for an item that is one value (SNILS, INN)
	Kind     string // text, date, gender (radio buttons), doc_type (a select)
	Auto     string // autocomplete token
	Mode     string // inputmode
	Max      int    // maxlength
	Required bool
	Check    string // the rule profile.js checks as the citizen types
	DocType  string // identity document fields that belong to one type only
	// RequiredFor makes an optional field required for one identity document type.
	RequiredFor string
}

// profileSection is one item's form.
type profileSection struct {
	Item   proofing.Item
	Fields []profileField
}

func profText(name, auto string, max int, required bool, check string) profileField {
	return profileField{Name: name, Kind: "text", Auto: auto, Max: max, Required: required, Check: check}
}

func profDigits(name string, max int, required bool, check string) profileField {
	return profileField{Name: name, Kind: "text", Auto: "off", Mode: "numeric", Max: max, Required: required, Check: check}
}

func profDate(name, auto string, required bool, check string) profileField {
	return profileField{Name: name, Kind: "date", Auto: auto, Mode: "numeric", Max: 10, Required: required, Check: check}
}

func profFor(f profileField, docType string) profileField {
	f.DocType = docType
	return f
}

// profileSections lists the forms in page order: the registry-checked items, the other
// documents, the addresses.
var profileSections = []profileSection{
	{proofing.ItemPersonal, []profileField{
		profText("last_name", "family-name", 100, true, "name"),
		profText("first_name", "given-name", 100, true, "name"),
		profText("middle_name", "additional-name", 100, false, "name"),
		{Name: "gender", Kind: "gender", Required: true},
		profDate("birth_date", "bday", true, "birth_date"),
		profText("birth_place", "off", 200, true, "text"),
		profText("citizenship", "off", 3, true, "country"),
	}},
	{proofing.ItemSNILS, []profileField{profDigits("", 14, true, "snils")}},
	{proofing.ItemIDDoc, []profileField{
		{Name: "type", Kind: "doc_type", Required: true},
		profFor(profDigits("series", 5, true, "rf_series"), proofing.RFPassport),
		profText("number", "off", 24, true, "doc_number"),
		profFor(profText("country", "off", 3, true, "doc_country"), proofing.ForeignPassport),
		profDate("issue_date", "off", true, "issue_date"),
		{Name: "issuer", Kind: "text", Auto: "off", Max: 200, Check: "text", RequiredFor: proofing.RFPassport},
		profFor(profDigits("department_code", 7, true, "department_code"), proofing.RFPassport),
		profFor(profDate("expiry_date", "off", true, "expiry_date"), proofing.ForeignPassport),
	}},
	{proofing.ItemINN, []profileField{profDigits("", 12, false, "inn")}},
	{proofing.ItemDriversLicence, []profileField{
		profText("series", "off", 5, true, "doc_series"),
		profDigits("number", 7, true, "digits6"),
		profDate("issue_date", "off", true, "issue_date"),
		profDate("expiry_date", "off", true, "expiry_date"),
	}},
	{proofing.ItemMedicalPolicy, []profileField{profDigits("number", 19, true, "digits16")}},
	{proofing.ItemInternationalPassport, []profileField{
		profDigits("series", 3, true, "digits2"),
		profDigits("number", 8, true, "digits7"),
		profDate("issue_date", "off", true, "issue_date"),
		profDate("expiry_date", "off", true, "expiry_date"),
		profText("issuer", "off", 200, false, "text"),
	}},
	{proofing.ItemMilitaryID, []profileField{
		profText("series", "off", 3, true, "military_series"),
		profDigits("number", 8, true, "digits7"),
		profDate("issue_date", "off", true, "issue_date"),
		profText("issuer", "off", 200, false, "text"),
	}},
	{proofing.ItemVehicles, []profileField{
		profText("plate", "off", 12, true, "plate"),
		profText("reg_cert_series", "off", 5, true, "doc_series"),
		profDigits("reg_cert_number", 7, true, "digits6"),
	}},
	{proofing.ItemRegistrationAddress, addressFields()},
	{proofing.ItemActualAddress, addressFields()},
}

func addressFields() []profileField {
	return []profileField{
		profText("country", "off", 3, false, "country"),
		profDigits("zip_code", 12, false, "zip_code"),
		profText("region", "off", 200, true, "text"),
		profText("city", "off", 200, true, "text"),
		profText("street", "off", 200, false, "text"),
		profText("house", "off", 20, true, "text"),
		profText("flat", "off", 20, false, "text"),
	}
}

// profileSectionOf returns the form of item.
func profileSectionOf(item proofing.Item) (profileSection, bool) {
	for _, s := range profileSections {
		if s.Item == item {
			return s, true
		}
	}
	return profileSection{}, false
}

// single reports whether the item is one value (SNILS, INN).
func (s profileSection) single() bool { return len(s.Fields) == 1 && s.Fields[0].Name == "" }

// profileInputID is the element id of field of item; row is a vehicle's index (ignored otherwise).
func profileInputID(item proofing.Item, field string, row int) string {
	switch {
	case field == "":
		return string(item)
	case item == proofing.ItemVehicles:
		return string(item) + "-" + strconv.Itoa(row) + "-" + field
	}
	return string(item) + "-" + field
}
