package proofing

import (
	"slices"
	"time"
)

// Patch is a partial update of a profile: a nil field leaves its item as it is. Clear lists
// items to remove: an unchecked item is deleted; for a checked item the pending change is
// discarded (the verified version stays).
type Patch struct {
	Personal              *Personal
	SNILS                 *string
	IDDoc                 *IDDocument
	INN                   *string // "" removes the pending INN
	DriversLicence        *DriversLicence
	MedicalPolicy         *MedicalPolicy
	InternationalPassport *InternationalPassport
	MilitaryID            *MilitaryID
	Vehicles              *[]Vehicle // an empty list removes every vehicle
	RegistrationAddress   *Address
	ActualAddress         *Address
	Clear                 []Item
}

// items lists the items the patch touches.
func (p *Patch) items() []Item {
	var out []Item
	add := func(set bool, i Item) {
		if set {
			out = append(out, i)
		}
	}
	add(p.Personal != nil, ItemPersonal)
	add(p.SNILS != nil, ItemSNILS)
	add(p.IDDoc != nil, ItemIDDoc)
	add(p.INN != nil, ItemINN)
	add(p.DriversLicence != nil, ItemDriversLicence)
	add(p.MedicalPolicy != nil, ItemMedicalPolicy)
	add(p.InternationalPassport != nil, ItemInternationalPassport)
	add(p.MilitaryID != nil, ItemMilitaryID)
	add(p.Vehicles != nil, ItemVehicles)
	add(p.RegistrationAddress != nil, ItemRegistrationAddress)
	add(p.ActualAddress != nil, ItemActualAddress)
	for _, c := range p.Clear {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Normalize validates every item the patch sets, rewriting values into their stored form
// (SNILS and INN as digits, department code as NNN-NNN, ...). It returns a validation_failed
// *Error listing every field problem.
func (p *Patch) Normalize(now time.Time) error {
	var f fields
	if p.Personal != nil {
		normPersonal(&f, p.Personal, now)
	}
	if p.SNILS != nil {
		normSNILS(&f, p.SNILS)
	}
	if p.IDDoc != nil {
		normIDDoc(&f, p.IDDoc, now)
	}
	if p.INN != nil && *p.INN != "" {
		normINN(&f, p.INN)
	}
	p.normDocuments(&f, now)
	for _, c := range p.Clear {
		if !knownItem(c) {
			f.add(string(c), "unknown_field", "this field is not accepted")
		}
	}
	return f.err("validation_failed")
}

func (p *Patch) normDocuments(f *fields, now time.Time) {
	if p.DriversLicence != nil {
		normDriversLicence(f, p.DriversLicence, now)
	}
	if p.MedicalPolicy != nil {
		normMedicalPolicy(f, p.MedicalPolicy)
	}
	if p.InternationalPassport != nil {
		normInternationalPassport(f, p.InternationalPassport, now)
	}
	if p.MilitaryID != nil {
		normMilitaryID(f, p.MilitaryID, now)
	}
	if p.Vehicles != nil {
		normVehicles(f, *p.Vehicles)
	}
	if p.RegistrationAddress != nil {
		normAddress(f, string(ItemRegistrationAddress), p.RegistrationAddress)
	}
	if p.ActualAddress != nil {
		normAddress(f, string(ItemActualAddress), p.ActualAddress)
	}
}

func knownItem(i Item) bool {
	switch i {
	case ItemPersonal, ItemSNILS, ItemIDDoc, ItemINN, ItemDriversLicence, ItemMedicalPolicy,
		ItemInternationalPassport, ItemMilitaryID, ItemVehicles, ItemRegistrationAddress, ItemActualAddress:
		return true
	}
	return false
}

// lockedChanges returns the field errors for the checked items that differ between before and
// after: while a submission runs, those may not change (sending them unchanged is fine).
func lockedChanges(before, after *Profile) []FieldError {
	var out []FieldError
	add := func(changed bool, i Item) {
		if changed {
			out = append(out, FieldError{Field: string(i), Code: "field_locked",
				Message: "this item is being checked by a registry and cannot be changed until the check ends"})
		}
	}
	add(before.Personal.changed(&after.Personal), ItemPersonal)
	add(before.SNILS.changed(&after.SNILS), ItemSNILS)
	add(before.IDDoc.changed(&after.IDDoc), ItemIDDoc)
	add(before.INN.changed(&after.INN), ItemINN)
	return out
}

// apply writes the (normalized) patch into prof.
func (p *Patch) apply(prof *Profile) {
	for _, c := range p.Clear {
		clearItem(prof, c)
	}
	if p.Personal != nil {
		prof.Personal.set(*p.Personal)
	}
	if p.SNILS != nil {
		prof.SNILS.set(*p.SNILS)
	}
	if p.IDDoc != nil {
		prof.IDDoc.set(*p.IDDoc)
	}
	if p.INN != nil && *p.INN == "" {
		prof.INN.discard()
	} else if p.INN != nil {
		prof.INN.set(*p.INN)
	}
	p.applyDocuments(prof)
}

func (p *Patch) applyDocuments(prof *Profile) {
	if p.DriversLicence != nil {
		prof.DriversLicence = p.DriversLicence
	}
	if p.MedicalPolicy != nil {
		prof.MedicalPolicy = p.MedicalPolicy
	}
	if p.InternationalPassport != nil {
		prof.InternationalPassport = p.InternationalPassport
	}
	if p.MilitaryID != nil {
		prof.MilitaryID = p.MilitaryID
	}
	if p.Vehicles != nil {
		prof.Vehicles = slices.Clone(*p.Vehicles)
	}
	if p.RegistrationAddress != nil {
		prof.RegistrationAddress = p.RegistrationAddress
	}
	if p.ActualAddress != nil {
		prof.ActualAddress = p.ActualAddress
	}
}

func clearItem(prof *Profile, i Item) {
	switch i {
	case ItemPersonal:
		prof.Personal.discard()
	case ItemSNILS:
		prof.SNILS.discard()
	case ItemIDDoc:
		prof.IDDoc.discard()
	case ItemINN:
		prof.INN.discard()
	case ItemDriversLicence:
		prof.DriversLicence = nil
	case ItemMedicalPolicy:
		prof.MedicalPolicy = nil
	case ItemInternationalPassport:
		prof.InternationalPassport = nil
	case ItemMilitaryID:
		prof.MilitaryID = nil
	case ItemVehicles:
		prof.Vehicles = nil
	case ItemRegistrationAddress:
		prof.RegistrationAddress = nil
	case ItemActualAddress:
		prof.ActualAddress = nil
	}
}
