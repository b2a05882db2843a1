package proofing

import (
	"context"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ident"
)

// Scopes are the OIDC scopes whose claims the Service releases (DESIGN.md, "Data protected
// by scope").
var Scopes = []string{"birthdate", "gender", "birthplace", "snils", "inn", "id_doc", "addresses",
	"drivers_licence_doc", "medical_doc", "foreign_passport_doc", "military_doc", "vehicles"}

// Claims returns the claims of one scope for the account. Registry-checked data are released
// only in their verified version (a pending change is not released until it passes); the
// identity document carries verified: true. Data no registry checks (addresses and the other
// documents) carry verified: false. A scope without data, or unknown here, gives an empty map.
func (s *Service) Claims(ctx context.Context, accountID, scope string) (map[string]any, error) {
	return s.ClaimsFor(ctx, accountID, []string{scope})
}

// ClaimsFor returns the claims of several scopes, reading the profile once.
func (s *Service) ClaimsFor(ctx context.Context, accountID string, scopes []string) (map[string]any, error) {
	p, err := s.loadProfile(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, sc := range scopes {
		p.claims(sc, out)
	}
	return out, nil
}

func (p *Profile) claims(scope string, out map[string]any) {
	per := p.Personal.Verified
	switch scope {
	case "birthdate", "gender", "birthplace":
		if per != nil {
			personalClaim(scope, per, out)
		}
	case "snils":
		if v := p.SNILS.Verified; v != nil {
			out["snils"] = ident.FormatSNILS(*v)
		}
	case "inn":
		if v := p.INN.Verified; v != nil {
			out["inn"] = *v
		}
	case "id_doc":
		if d := p.IDDoc.Verified; d != nil {
			out["id_doc"] = idDocClaim(d, per)
		}
	case "addresses":
		if a := addressesClaim(p); len(a) > 0 {
			out["address"] = a
		}
	default:
		p.documentClaims(scope, out)
	}
}

func personalClaim(scope string, per *Personal, out map[string]any) {
	switch scope {
	case "birthdate":
		out["birthdate"] = string(per.BirthDate)
	case "gender":
		out["gender"] = map[string]string{"M": "male", "F": "female"}[per.Gender]
	case "birthplace":
		out["birthplace"] = per.BirthPlace
	}
}

func idDocClaim(d *IDDocument, per *Personal) map[string]any {
	c := map[string]any{"type": d.Type, "number": d.Number, "issue_date": string(d.IssueDate), "verified": true}
	put(c, "series", d.Series)
	put(c, "issuer", d.Issuer)
	put(c, "department_code", d.DepartmentCode)
	put(c, "country", d.Country)
	put(c, "expiry_date", string(d.ExpiryDate))
	if per != nil {
		c["citizenship"] = per.Citizenship
	}
	return c
}

func put(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func addressesClaim(p *Profile) map[string]any {
	out := map[string]any{}
	for kind, a := range map[string]*Address{"registration": p.RegistrationAddress, "actual": p.ActualAddress} {
		if a == nil {
			continue
		}
		c := map[string]any{"formatted": a.Formatted(), "country": a.Country, "region": a.Region,
			"locality": a.City, "verified": false}
		put(c, "postal_code", a.ZipCode)
		put(c, "street", a.Street)
		put(c, "house", a.House)
		put(c, "flat", a.Flat)
		out[kind] = c
	}
	return out
}

func (p *Profile) documentClaims(scope string, out map[string]any) {
	switch scope {
	case "drivers_licence_doc":
		if l := p.DriversLicence; l != nil {
			out[scope] = map[string]any{"series": l.Series, "number": l.Number, "issue_date": string(l.IssueDate),
				"expiry_date": string(l.ExpiryDate), "verified": false}
		}
	case "medical_doc":
		if m := p.MedicalPolicy; m != nil {
			out[scope] = map[string]any{"number": m.Number, "verified": false}
		}
	case "foreign_passport_doc":
		if f := p.InternationalPassport; f != nil {
			c := map[string]any{"series": f.Series, "number": f.Number, "issue_date": string(f.IssueDate),
				"expiry_date": string(f.ExpiryDate), "verified": false}
			put(c, "issuer", f.Issuer)
			out[scope] = c
		}
	case "military_doc":
		if m := p.MilitaryID; m != nil {
			c := map[string]any{"series": m.Series, "number": m.Number, "issue_date": string(m.IssueDate), "verified": false}
			put(c, "issuer", m.Issuer)
			out[scope] = c
		}
	case "vehicles":
		if len(p.Vehicles) > 0 {
			vs := make([]map[string]any, len(p.Vehicles))
			for i, v := range p.Vehicles {
				vs[i] = map[string]any{"plate": v.Plate, "reg_cert_series": v.RegCertSeries,
					"reg_cert_number": v.RegCertNumber, "verified": false}
			}
			out[scope] = vs
		}
	}
}

// Meets reports whether the profile holds what a requirement of the next level asks for
// (entered, verified or not); registry_check and identity_confirmation are never met here.
func (p *Profile) Meets(r account.Requirement) bool {
	switch r {
	case account.NeedPersonalData:
		return p.Personal.Current() != nil
	case account.NeedSNILS:
		return p.SNILS.Current() != nil
	case account.NeedIDDocument:
		return p.IDDoc.Current() != nil
	}
	return false
}

// NextLevel is the account's next level and what it still lacks, leaving out what the
// profile already holds. The requirement codes are account's.
func (s *Service) NextLevel(ctx context.Context, acc *account.Account) (account.Level, []account.Requirement, bool, error) {
	p, err := s.loadProfile(ctx, acc.ID)
	if err != nil {
		return "", nil, false, err
	}
	next, needs, ok := acc.NextLevelWith(p.Meets)
	return next, needs, ok, nil
}

// Met returns the test of which next-level requirements the account's profile meets, for
// account.Account.NextLevelWith.
func (s *Service) Met(ctx context.Context, accountID string) (func(account.Requirement) bool, error) {
	p, err := s.loadProfile(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return p.Meets, nil
}
