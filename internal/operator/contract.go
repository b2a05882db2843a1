package operator

import (
	"time"

	"github.com/civis-id/civis/internal/account"
)

// Actor is who acts: a staff member at their center, through a client (the center's system,
// or the workstation).
type Actor struct {
	OperatorID string // the staff member's account id
	CenterID   string
	// ClientID keys the request ledger: the center system's client id, or "workstation" for
	// the web workstation.
	ClientID string
	Reason   string // why the operator looks (required for Find)
	IP       string
}

// Query finds an account by exactly one identifier: SNILS, passport series and number,
// phone, or email. Matches are exact; there is no browsing.
type Query struct {
	SNILS          string
	PassportSeries string
	PassportNumber string
	Phone          string
	Email          string
}

// Advice is the next step the escalation path of service centers suggests.
type Advice string

// Advices, in the order centers follow them.
const (
	AdviseRegister       Advice = "register"        // no account: register the citizen
	AdviseConfirm        Advice = "confirm"         // a standard account: confirm identity
	AdviseRestore        Advice = "restore"         // confirmed already: restore access if needed
	AdviseWaitChecks     Advice = "wait_checks"     // registry checks are running
	AdviseCheckFailed    Advice = "check_failed"    // a check failed: the citizen must correct data
	AdviseFillProfile    Advice = "fill_profile"    // a simplified account: data to add and check
	AdviseRestoreDeleted Advice = "restore_deleted" // deleted, within the retention period
)

// Check is the state of one registry check, as the workstation shows it.
type Check struct {
	Registry string // snils, passport, inn, ...
	State    string // pending, passed, failed
	Reason   string // why it failed, in plain words
}

// Person is what the operator compares with the passport in hand.
type Person struct {
	LastName, FirstName, MiddleName string
	BirthDate                       string // YYYY-MM-DD
	BirthPlace                      string
	Gender                          string
	SNILS                           string
	Passport                        Passport
	Phone, Email                    string // masked except the last digits/characters
}

// Passport is a Russian passport as the operator types or reads it.
type Passport struct {
	Series, Number, IssueDate, Issuer, DepartmentCode string
}

// Found is the answer of a search: whether an account exists and what the operator needs to
// decide, nothing more.
type Found struct {
	Exists             bool
	AccountID          string
	Level              account.Level
	Deleted            bool
	ConfirmationMethod string
	Checks             []Check
	OpenRequests       int // requests of this account still accepted or processing
	Person             *Person
	Advice             Advice
	Message            string // the advice in plain words
}

// RegisterInput is a citizen registered on the spot. At least one of Phone and Email; the
// temporary password or activation link goes to the phone.
type RegisterInput struct {
	LastName, FirstName, MiddleName string
	Phone, Email                    string
	Gender                          string // male | female
	BirthDate                       string // YYYY-MM-DD
	BirthPlace                      string
	Citizenship                     string // ISO alpha-3, RUS
	SNILS                           string
	Passport                        Passport
	// Activation: "password" sends a temporary password that must be changed at first
	// sign-in; "link" sends a one-time link to choose a password.
	Activation string
}

// RestoreInput restores access to an account: a temporary password, new contacts, or both.
type RestoreInput struct {
	AccountID    string
	TempPassword bool
	NewPhone     string
	NewEmail     string
}

// Result is what a changing operation answers (it is stored in the ledger and replayed).
type Result struct {
	RequestID string    `json:"request_id"`
	State     string    `json:"state"`
	AccountID string    `json:"account_id,omitempty"`
	Level     string    `json:"level,omitempty"`
	Message   string    `json:"message,omitempty"`
	At        time.Time `json:"at"`
}

// Confirmation methods that enroll a citizen at the confirmed level.
const (
	MethodInPerson = "in_person"
	MethodBank     = "bank"
)

// Activation choices: how a citizen enrolled by staff or a bank sets the first password.
const (
	ActivationPassword = "password" // a temporary password by SMS, changed at first sign-in
	ActivationLink     = "link"     // a one-time link to choose a password
)

// Enrollment is a citizen whose identity was checked in person or by a bank, to be created at
// the confirmed level.
type Enrollment struct {
	RegisterInput
	Method     string // MethodInPerson | MethodBank
	CenterID   string // in person: the center
	OperatorID string // in person: the operator
	BankID     string // bank: the bank's client id
	BankName   string // bank: the bank's name as told to the citizen
	RequestID  string // the ledger request that enrolls
}
