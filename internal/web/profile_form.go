package web

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/proofing"
)

// Conversions between the profile's items and the page's forms. Values travel as field→text
// maps: the items' JSON field names, dates shown as DD.MM.YYYY.

// profVals is one item (or one vehicle) as the form shows it.
type profVals map[string]string

// profItemValues returns the values of a version of an item, as its form shows them.
func profItemValues[T any](sec profileSection, x *T) profVals {
	if x == nil {
		return profVals{}
	}
	if s, ok := any(x).(*string); ok { // SNILS, INN
		if sec.Item == proofing.ItemSNILS {
			return profVals{"": ident.FormatSNILS(*s)}
		}
		return profVals{"": *s}
	}
	b, err := json.Marshal(x)
	if err != nil {
		return profVals{}
	}
	var raw map[string]string
	if json.Unmarshal(b, &raw) != nil {
		return profVals{}
	}
	out := profVals{}
	for _, f := range sec.Fields {
		out[f.Name] = raw[f.Name]
		if f.Kind == "date" {
			out[f.Name] = showDate(raw[f.Name])
		}
	}
	return out
}

// profStoredValues returns the current version of item in p, as its form shows it: the pending
// change, else the verified version. Vehicles are one map per vehicle.
func profStoredValues(sec profileSection, p *proofing.Profile) []profVals {
	switch sec.Item {
	case proofing.ItemPersonal:
		return []profVals{profItemValues(sec, p.Personal.Current())}
	case proofing.ItemSNILS:
		return []profVals{profItemValues(sec, p.SNILS.Current())}
	case proofing.ItemIDDoc:
		return []profVals{profItemValues(sec, p.IDDoc.Current())}
	case proofing.ItemINN:
		return []profVals{profItemValues(sec, p.INN.Current())}
	case proofing.ItemDriversLicence:
		return []profVals{profItemValues(sec, p.DriversLicence)}
	case proofing.ItemMedicalPolicy:
		return []profVals{profItemValues(sec, p.MedicalPolicy)}
	case proofing.ItemInternationalPassport:
		return []profVals{profItemValues(sec, p.InternationalPassport)}
	case proofing.ItemMilitaryID:
		return []profVals{profItemValues(sec, p.MilitaryID)}
	case proofing.ItemRegistrationAddress:
		return []profVals{profItemValues(sec, p.RegistrationAddress)}
	case proofing.ItemActualAddress:
		return []profVals{profItemValues(sec, p.ActualAddress)}
	case proofing.ItemVehicles:
		out := make([]profVals, 0, len(p.Vehicles))
		for i := range p.Vehicles {
			out = append(out, profItemValues(sec, &p.Vehicles[i]))
		}
		return out
	}
	return nil
}

// profPostedValues reads a section's form. Vehicles are the rows that are not blank, in order,
// so that a field error's index ("vehicles[1].plate") names the right row.
func profPostedValues(sec profileSection, f url.Values) []profVals {
	if sec.Item != proofing.ItemVehicles {
		vals := profVals{}
		for _, fd := range sec.Fields {
			vals[fd.Name] = f.Get(profFormName(fd))
		}
		return []profVals{vals}
	}
	var rows []profVals
	for i := range f[sec.Fields[0].Name] {
		row, blank := profVals{}, true
		for _, fd := range sec.Fields {
			if vs := f[fd.Name]; i < len(vs) {
				row[fd.Name] = vs[i]
				blank = blank && strings.TrimSpace(vs[i]) == ""
			}
		}
		if !blank {
			rows = append(rows, row)
		}
	}
	return rows
}

// profFormName is the input's name in its form: the field, or "value" for a one-value item.
func profFormName(f profileField) string {
	if f.Name == "" {
		return "value"
	}
	return f.Name
}

// profSectionPatch turns a posted section into the update of its item. A form left blank, or
// posted with action=clear, removes the item (for a checked item: its pending change).
func profSectionPatch(sec profileSection, f url.Values) proofing.Patch {
	var p proofing.Patch
	rows := profPostedValues(sec, f)
	if f.Get("action") == "clear" || (sec.Item != proofing.ItemVehicles && profBlank(sec, rows[0])) {
		p.Clear = []proofing.Item{sec.Item}
		return p
	}
	if sec.Item == proofing.ItemVehicles {
		vs := make([]proofing.Vehicle, 0, len(rows))
		for _, row := range rows {
			vs = append(vs, *profDecode[proofing.Vehicle](sec, row))
		}
		p.Vehicles = &vs
		return p
	}
	vals := rows[0]
	switch sec.Item {
	case proofing.ItemPersonal:
		p.Personal = profDecode[proofing.Personal](sec, vals)
	case proofing.ItemSNILS:
		p.SNILS = profPtr(vals[""])
	case proofing.ItemIDDoc:
		p.IDDoc = profDecode[proofing.IDDocument](sec, profOnlyType(sec, vals))
	case proofing.ItemINN:
		p.INN = profPtr(strings.TrimSpace(vals[""]))
	default:
		profDocumentPatch(&p, sec, vals)
	}
	return p
}

func profDocumentPatch(p *proofing.Patch, sec profileSection, vals profVals) {
	switch sec.Item {
	case proofing.ItemDriversLicence:
		p.DriversLicence = profDecode[proofing.DriversLicence](sec, vals)
	case proofing.ItemMedicalPolicy:
		p.MedicalPolicy = profDecode[proofing.MedicalPolicy](sec, vals)
	case proofing.ItemInternationalPassport:
		p.InternationalPassport = profDecode[proofing.InternationalPassport](sec, vals)
	case proofing.ItemMilitaryID:
		p.MilitaryID = profDecode[proofing.MilitaryID](sec, vals)
	case proofing.ItemRegistrationAddress:
		p.RegistrationAddress = profDecode[proofing.Address](sec, vals)
	case proofing.ItemActualAddress:
		p.ActualAddress = profDecode[proofing.Address](sec, vals)
	}
}

func profPtr[T any](x T) *T { return &x }

// profBlank reports whether every field the citizen types is empty; the choices (gender, document
// type) and the countries, which the form fills in, do not count.
func profBlank(sec profileSection, vals profVals) bool {
	for _, f := range sec.Fields {
		if f.Kind == "gender" || f.Kind == "doc_type" || f.Name == "citizenship" || f.Name == "country" {
			continue
		}
		if strings.TrimSpace(vals[f.Name]) != "" {
			return false
		}
	}
	return true
}

// profOnlyType drops the identity document's fields that belong to the other type: without
// JavaScript the form shows both types' fields, and the hidden ones are not the citizen's
// answer.
func profOnlyType(sec profileSection, vals profVals) profVals {
	t := strings.ToUpper(strings.TrimSpace(vals["type"]))
	out := profVals{}
	for _, f := range sec.Fields {
		if f.DocType == "" || f.DocType == t {
			out[f.Name] = vals[f.Name]
		}
	}
	return out
}

// profDecode builds an item from its form, reading dates typed as DD.MM.YYYY.
func profDecode[T any](sec profileSection, vals profVals) *T {
	raw := map[string]string{}
	for _, f := range sec.Fields {
		v, ok := vals[f.Name]
		if !ok {
			continue
		}
		if f.Kind == "date" {
			v = readDate(v)
		}
		raw[f.Name] = v
	}
	var x T
	b, _ := json.Marshal(raw)
	_ = json.Unmarshal(b, &x) // every field of the items is a string
	return &x
}
