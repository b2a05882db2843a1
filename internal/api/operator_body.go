package api

import "github.com/civis-id/civis/internal/operator"

// Bodies of the operator API.

type operatorPassport struct {
	Series         string `json:"series"`
	Number         string `json:"number"`
	IssueDate      string `json:"issue_date"`
	Issuer         string `json:"issuer"`
	DepartmentCode string `json:"department_code"`
}

type operatorRegistrationRequest struct {
	RequestID   string           `json:"request_id"`
	LastName    string           `json:"last_name"`
	FirstName   string           `json:"first_name"`
	MiddleName  string           `json:"middle_name,omitempty"`
	Phone       string           `json:"phone,omitempty"`
	Email       string           `json:"email,omitempty"`
	Gender      string           `json:"gender"`
	BirthDate   string           `json:"birth_date"`
	BirthPlace  string           `json:"birth_place"`
	Citizenship string           `json:"citizenship,omitempty"`
	SNILS       string           `json:"snils"`
	Passport    operatorPassport `json:"passport"`
	Activation  string           `json:"activation,omitempty"`
}

func (in operatorRegistrationRequest) input() operator.RegisterInput {
	p := in.Passport
	return operator.RegisterInput{LastName: in.LastName, FirstName: in.FirstName, MiddleName: in.MiddleName,
		Phone: in.Phone, Email: in.Email, Gender: in.Gender, BirthDate: in.BirthDate, BirthPlace: in.BirthPlace,
		Citizenship: in.Citizenship, SNILS: in.SNILS, Activation: in.Activation,
		Passport: operator.Passport{Series: p.Series, Number: p.Number, IssueDate: p.IssueDate, Issuer: p.Issuer,
			DepartmentCode: p.DepartmentCode}}
}

type operatorConfirmationRequest struct {
	RequestID      string `json:"request_id"`
	AccountID      string `json:"account_id"`
	PassportNumber string `json:"passport_number"`
}

type operatorRestorationRequest struct {
	RequestID    string `json:"request_id"`
	AccountID    string `json:"account_id"`
	TempPassword bool   `json:"temp_password"`
	NewPhone     string `json:"new_phone,omitempty"`
	NewEmail     string `json:"new_email,omitempty"`
}

type operatorDuplicateRequest struct {
	RequestID       string `json:"request_id"`
	KeepAccountID   string `json:"keep_account_id"`
	RemoveAccountID string `json:"remove_account_id"`
}

type operatorSearchRequest struct {
	Reason         string `json:"reason"`
	SNILS          string `json:"snils,omitempty"`
	PassportSeries string `json:"passport_series,omitempty"`
	PassportNumber string `json:"passport_number,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Email          string `json:"email,omitempty"`
}

type operatorCheck struct {
	Registry string `json:"registry"`
	State    string `json:"state"`
	Reason   string `json:"reason,omitempty"`
}

type operatorPerson struct {
	LastName   string           `json:"last_name"`
	FirstName  string           `json:"first_name"`
	MiddleName string           `json:"middle_name,omitempty"`
	BirthDate  string           `json:"birth_date,omitempty"`
	BirthPlace string           `json:"birth_place,omitempty"`
	Gender     string           `json:"gender,omitempty"`
	SNILS      string           `json:"snils,omitempty"`
	Passport   operatorPassport `json:"passport"`
	Phone      string           `json:"phone,omitempty"` // masked
	Email      string           `json:"email,omitempty"` // masked
}

type operatorFound struct {
	Exists             bool            `json:"exists"`
	AccountID          string          `json:"account_id,omitempty"`
	Level              string          `json:"level,omitempty"`
	Deleted            bool            `json:"deleted"`
	ConfirmationMethod string          `json:"confirmation_method,omitempty"`
	Checks             []operatorCheck `json:"checks"`
	OpenRequests       int             `json:"open_requests"`
	Person             *operatorPerson `json:"person,omitempty"`
	Advice             string          `json:"advice"`
	Message            string          `json:"message"`
}

func foundBody(f *operator.Found) operatorFound {
	out := operatorFound{Exists: f.Exists, AccountID: f.AccountID, Level: string(f.Level), Deleted: f.Deleted,
		ConfirmationMethod: f.ConfirmationMethod, Checks: []operatorCheck{}, OpenRequests: f.OpenRequests,
		Advice: string(f.Advice), Message: f.Message}
	for _, c := range f.Checks {
		out.Checks = append(out.Checks, operatorCheck(c))
	}
	if p := f.Person; p != nil {
		out.Person = &operatorPerson{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName,
			BirthDate: p.BirthDate, BirthPlace: p.BirthPlace, Gender: p.Gender, SNILS: p.SNILS,
			Passport: operatorPassport(p.Passport), Phone: p.Phone, Email: p.Email}
	}
	return out
}

type operatorExists struct {
	Exists bool   `json:"exists"`
	Level  string `json:"level,omitempty"`
}

type operatorRequestEntry struct {
	RequestID string `json:"request_id"`
	Type      string `json:"type"`
	State     string `json:"state"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Subject   string `json:"subject,omitempty"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	Result    any    `json:"result,omitempty"`
}

type activationRequest struct {
	Password string `json:"password"`
}

type activationResponse struct {
	AccountID string `json:"account_id"`
}
