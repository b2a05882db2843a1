package proofing

import "time"

// Date is a calendar date written "YYYY-MM-DD".
type Date string

// Time returns the date at midnight UTC; ok is false when d is not a valid date.
func (d Date) Time() (t time.Time, ok bool) {
	t, err := time.Parse(time.DateOnly, string(d))
	return t, err == nil
}

// Personal is the citizen's personal data. The registries match it together with SNILS and the
// identity document, so it is one checked item.
type Personal struct {
	LastName    string `json:"last_name"`
	FirstName   string `json:"first_name"`
	MiddleName  string `json:"middle_name"`
	Gender      string `json:"gender"` // M or F
	BirthDate   Date   `json:"birth_date"`
	BirthPlace  string `json:"birth_place"`
	Citizenship string `json:"citizenship"` // ISO 3166-1 alpha-3, RUS for Russian citizens
}

// Identity document types.
const (
	RFPassport      = "RF_PASSPORT" // Russian citizen's internal passport
	ForeignPassport = "FRGN_PASS"   // a foreign citizen's national passport
)

// IDDocument is the identity document: a Russian passport (series, number, issue date,
// issuer, department code) or, for a foreign citizen, a foreign passport (country, number,
// issue and expiry dates).
type IDDocument struct {
	Type           string `json:"type"`
	Series         string `json:"series"`
	Number         string `json:"number"`
	IssueDate      Date   `json:"issue_date"`
	Issuer         string `json:"issuer"`
	DepartmentCode string `json:"department_code"` // NNN-NNN, Russian passport only
	Country        string `json:"country"`         // ISO alpha-3, foreign passport only
	ExpiryDate     Date   `json:"expiry_date"`     // foreign passport only
}

// DriversLicence is a Russian driving licence.
type DriversLicence struct {
	Series     string `json:"series"`
	Number     string `json:"number"`
	IssueDate  Date   `json:"issue_date"`
	ExpiryDate Date   `json:"expiry_date"`
}

// MedicalPolicy is a compulsory medical insurance (OMS) policy: its 16-digit single number.
type MedicalPolicy struct {
	Number string `json:"number"`
}

// InternationalPassport is a Russian citizen's passport for travel abroad.
type InternationalPassport struct {
	Series     string `json:"series"`
	Number     string `json:"number"`
	IssueDate  Date   `json:"issue_date"`
	ExpiryDate Date   `json:"expiry_date"`
	Issuer     string `json:"issuer"`
}

// MilitaryID is a military ID card.
type MilitaryID struct {
	Series    string `json:"series"`
	Number    string `json:"number"`
	IssueDate Date   `json:"issue_date"`
	Issuer    string `json:"issuer"`
}

// Vehicle is a vehicle with its registration plate and registration certificate.
type Vehicle struct {
	Plate         string `json:"plate"`
	RegCertSeries string `json:"reg_cert_series"`
	RegCertNumber string `json:"reg_cert_number"`
}

// Address is a postal address.
type Address struct {
	Country string `json:"country"` // ISO alpha-3
	ZipCode string `json:"zip_code"`
	Region  string `json:"region"`
	City    string `json:"city"` // city or other settlement
	Street  string `json:"street"`
	House   string `json:"house"`
	Flat    string `json:"flat"`
}

// Failure says why the last check of an item's pending version failed.
type Failure struct {
	Registry string    `json:"registry"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// Versioned is a registry-checked item: the verified version in force and the pending change.
type Versioned[T comparable] struct {
	Verified   *T        `json:"verified,omitempty"`
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	Pending    *T        `json:"pending,omitempty"`
	Failure    *Failure  `json:"failure,omitempty"`
}

// Current is the pending version if there is one, else the verified one (nil if neither).
func (v *Versioned[T]) Current() *T {
	if v.Pending != nil {
		return v.Pending
	}
	return v.Verified
}

// set records x as the pending version; a value equal to the verified one drops the change.
func (v *Versioned[T]) set(x T) {
	switch {
	case v.Verified != nil && *v.Verified == x:
		v.Pending, v.Failure = nil, nil
	case v.Pending == nil || *v.Pending != x:
		v.Pending, v.Failure = &x, nil
	}
}

// changed reports whether w holds other versions than v.
func (v *Versioned[T]) changed(w *Versioned[T]) bool {
	return !samePtr(v.Verified, w.Verified) || !samePtr(v.Pending, w.Pending)
}

func samePtr[T comparable](a, b *T) bool {
	return a == b || (a != nil && b != nil && *a == *b)
}

// discard drops the pending change.
func (v *Versioned[T]) discard() { v.Pending, v.Failure = nil, nil }

// promote makes the pending version the verified one.
func (v *Versioned[T]) promote(at time.Time) {
	if v.Pending != nil {
		v.Verified, v.VerifiedAt, v.Pending = v.Pending, at, nil
	}
	v.Failure = nil
}

// State reports the item's state; checking tells whether the profile is under check.
func (v *Versioned[T]) State(checking bool) ItemState {
	switch {
	case v.Pending == nil && v.Verified == nil:
		return ItemEmpty
	case v.Pending == nil:
		return ItemVerified
	case checking:
		return ItemChecking
	case v.Failure != nil:
		return ItemFailed
	}
	return ItemDraft
}

// ItemState is the state of a checked item as pages show it.
type ItemState string

// Item states.
const (
	ItemEmpty    ItemState = "empty"    // nothing entered
	ItemDraft    ItemState = "draft"    // a change not yet submitted (the verified version, if any, stays in force)
	ItemChecking ItemState = "checking" // the change is being checked; read-only
	ItemFailed   ItemState = "failed"   // the last check of the change failed (Failure says why)
	ItemVerified ItemState = "verified" // verified, no pending change
)

// Item names a part of the profile; the names are also the JSON keys and field-error prefixes
// of the API.
type Item string

// Profile items. The first four are checked by registries.
const (
	ItemPersonal              Item = "personal"
	ItemSNILS                 Item = "snils"
	ItemIDDoc                 Item = "id_doc"
	ItemINN                   Item = "inn"
	ItemDriversLicence        Item = "drivers_licence"
	ItemMedicalPolicy         Item = "medical_policy"
	ItemInternationalPassport Item = "international_passport"
	ItemMilitaryID            Item = "military_id"
	ItemVehicles              Item = "vehicles"
	ItemRegistrationAddress   Item = "registration_address"
	ItemActualAddress         Item = "actual_address"
)

// Checked reports whether registries check the item (and it is locked during a check).
func (i Item) Checked() bool {
	return i == ItemPersonal || i == ItemSNILS || i == ItemIDDoc || i == ItemINN
}

// Profile is an account's personal data and documents.
type Profile struct {
	AccountID string `json:"-"`

	Personal Versioned[Personal]   `json:"personal"`
	SNILS    Versioned[string]     `json:"snils"` // 11 digits
	IDDoc    Versioned[IDDocument] `json:"id_doc"`
	INN      Versioned[string]     `json:"inn"` // 12 digits

	// Documents and data that no registry checks; released to RPs with verified: false.
	DriversLicence        *DriversLicence        `json:"drivers_licence,omitempty"`
	MedicalPolicy         *MedicalPolicy         `json:"medical_policy,omitempty"`
	InternationalPassport *InternationalPassport `json:"international_passport,omitempty"`
	MilitaryID            *MilitaryID            `json:"military_id,omitempty"`
	Vehicles              []Vehicle              `json:"vehicles,omitempty"`
	RegistrationAddress   *Address               `json:"registration_address,omitempty"`
	ActualAddress         *Address               `json:"actual_address,omitempty"`

	// Submission is the id of the submission under check; "" when the profile is editable.
	Submission string `json:"submission,omitempty"`
	// TakenNotice remembers the last SNILS whose verified owner was warned, to warn once a day.
	TakenNotice *Notice `json:"taken_notice,omitempty"`

	Version   int       `json:"-"` // optimistic-concurrency counter kept by the store
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// Notice records a warning sent to another account's owner.
type Notice struct {
	SNILS string    `json:"snils"`
	At    time.Time `json:"at"`
}

// Checking reports whether a submission is under check (checked items are read-only).
func (p *Profile) Checking() bool { return p.Submission != "" }

// Pending reports whether some checked item has a pending change.
func (p *Profile) Pending() bool {
	return p.Personal.Pending != nil || p.SNILS.Pending != nil || p.IDDoc.Pending != nil || p.INN.Pending != nil
}

// ItemState reports the state of a checked item.
func (p *Profile) ItemState(i Item) ItemState {
	c := p.Checking()
	switch i {
	case ItemPersonal:
		return p.Personal.State(c)
	case ItemSNILS:
		return p.SNILS.State(c)
	case ItemIDDoc:
		return p.IDDoc.State(c)
	case ItemINN:
		return p.INN.State(c)
	}
	return ItemEmpty
}

// promote makes every pending version the verified one and unlocks the profile.
func (p *Profile) promote(at time.Time) {
	p.Personal.promote(at)
	p.SNILS.promote(at)
	p.IDDoc.promote(at)
	p.INN.promote(at)
	p.Submission = ""
}

// failure records f on the item, if it has a pending change.
func (p *Profile) failure(i Item, f Failure) bool {
	switch {
	case i == ItemPersonal && p.Personal.Pending != nil:
		p.Personal.Failure = &f
	case i == ItemSNILS && p.SNILS.Pending != nil:
		p.SNILS.Failure = &f
	case i == ItemIDDoc && p.IDDoc.Pending != nil:
		p.IDDoc.Failure = &f
	case i == ItemINN && p.INN.Pending != nil:
		p.INN.Failure = &f
	default:
		return false
	}
	return true
}
