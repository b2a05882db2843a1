package web

import (
	"strings"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/proofing"
)

// profileData is the content of the profile page.
type profileData struct {
	Level        string
	Verification profileVerification
	Sections     []profileSectionView // the checked items, the other documents, the addresses
	Messages     string               // JSON of the field error messages, for profile.js
	Recover      bool                 // the recovery pages exist (for a SNILS verified on another account)
}

// profileSectionView is one item's section: its state, versions and form.
type profileSectionView struct {
	Group                   string // the heading of the group this section starts
	Item, ID, Heading, Lead string
	Checked                 bool   // checked by a registry
	State, StateText        string // of a checked item
	Failure                 string // why its last check failed, in words
	VerifiedAt              *stamp
	Compare                 []profileCompareRow // the verified version beside the pending change
	Locked                  bool                // under check: read-only
	Note                    string
	Inputs                  []profileInput
	Rows                    []profileRow // vehicles
	Errors                  []string     // about the whole item
	ClearLabel              string       // the button removing the item or its pending change
}

// profileRow is one vehicle's inputs.
type profileRow struct {
	Legend string
	Inputs []profileInput
}

// profileCompareRow is one field in the verified version and in the pending change.
type profileCompareRow struct {
	Label, Verified, Pending string
	Changed                  bool
}

// profileInput is one control of a profile form.
type profileInput struct {
	ID, Name, Kind, Label, Hint, Optional, Value string
	Auto, Mode                                   string
	Max                                          int
	Required, ReadOnly                           bool
	Check, Scope, Field, DocType, RequiredFor    string // for profile.js
	Errors                                       []string
	Options                                      []profileOption
}

// profileOption is one choice of a radio group or a select.
type profileOption struct {
	ID, Value, Label string
	Selected         bool
}

// Describedby lists the ids of the elements that describe the input: its error, its hint.
func (in profileInput) Describedby() string {
	var ids []string
	if len(in.Errors) > 0 {
		ids = append(ids, in.ID+"-error")
	}
	if in.Hint != "" {
		ids = append(ids, in.ID+"-hint")
	}
	return strings.Join(ids, " ")
}

// profilePosted is a section form posted back with errors, to show again as typed.
type profilePosted struct {
	Item proofing.Item
	Form map[string][]string
}

// profileView builds the page.
func (h *Handler) profileView(v *view, acc *account.Account, p *proofing.Profile, last *proofing.Submission,
	posted *profilePosted, taken bool) profileData {
	d := profileData{
		Level:        v.T("level_" + string(acc.Level)),
		Verification: profileVerificationView(v, p, last, taken),
		Messages:     profileClientMessages(v),
		Recover:      h.Recovery != nil,
	}
	group := ""
	for _, sec := range profileSections {
		sv := buildProfileSection(v, sec, p, acc, posted)
		if g := profileGroup(sec.Item); g != group {
			group, sv.Group = g, v.T("profile_group_"+g)
		}
		d.Sections = append(d.Sections, sv)
	}
	return d
}

// profileGroup names the group of an item's section: checked, documents or addresses.
func profileGroup(item proofing.Item) string {
	switch {
	case item.Checked():
		return "checked"
	case item == proofing.ItemRegistrationAddress || item == proofing.ItemActualAddress:
		return "addresses"
	}
	return "documents"
}

// buildProfileSection builds the section of one item.
func buildProfileSection(v *view, sec profileSection, p *proofing.Profile, acc *account.Account, posted *profilePosted) profileSectionView {
	item := string(sec.Item)
	sv := profileSectionView{Item: item, ID: "section-" + item, Heading: v.T("profile_section_" + item),
		Checked: sec.Item.Checked(), Locked: sec.Item.Checked() && p.Checking()}
	if v.Has("profile_lead_" + item) {
		sv.Lead = v.T("profile_lead_" + item)
	}
	stored := profStoredValues(sec, p)
	rows := stored
	if posted != nil && posted.Item == sec.Item {
		rows = profPostedValues(sec, posted.Form)
	} else if len(rows) == 0 || len(rows[0]) == 0 {
		rows = profDefaults(sec, acc)
	}
	if sec.Item == proofing.ItemVehicles {
		for i, row := range append(rows, profVals{}) {
			sv.Rows = append(sv.Rows, profileRow{Legend: v.T("profile_vehicle_n", "N", i+1),
				Inputs: profileInputs(v, sec, row, i, false)})
		}
	} else {
		sv.Inputs = profileInputs(v, sec, rows[0], 0, sv.Locked)
	}
	sv.Errors = v.Errs(sv.ID)
	hasStored := len(stored) > 0 && len(stored[0]) > 0
	if sv.Checked {
		profileVersionsView(v, sec, p, &sv)
	} else if hasStored && sec.Item == proofing.ItemVehicles {
		sv.ClearLabel = v.T("profile_action_delete_all")
	} else if hasStored {
		sv.ClearLabel = v.T("profile_action_delete")
	}
	return sv
}

// profDefaults are the values an empty form starts with: the account's names, Russian
// citizenship, a Russian passport.
func profDefaults(sec profileSection, acc *account.Account) []profVals {
	switch sec.Item {
	case proofing.ItemPersonal:
		return []profVals{{"last_name": acc.LastName, "first_name": acc.FirstName, "middle_name": acc.MiddleName,
			"citizenship": "RUS"}}
	case proofing.ItemIDDoc:
		return []profVals{{"type": proofing.RFPassport}}
	case proofing.ItemRegistrationAddress, proofing.ItemActualAddress:
		return []profVals{{"country": "RUS"}}
	case proofing.ItemVehicles:
		return nil
	}
	return []profVals{{}}
}

// profileInputs builds the controls of one form (row is a vehicle's index).
func profileInputs(v *view, sec profileSection, vals profVals, row int, locked bool) []profileInput {
	out := make([]profileInput, 0, len(sec.Fields))
	for _, f := range sec.Fields {
		id := profileInputID(sec.Item, f.Name, row)
		in := profileInput{ID: id, Name: profFormName(f), Kind: f.Kind, Label: profileLabel(v, sec.Item, f.Name),
			Hint: profileHint(v, sec.Item, f.Name), Value: vals[f.Name], Auto: f.Auto, Mode: f.Mode, Max: f.Max,
			Required: f.Required, ReadOnly: locked, Check: f.Check, Scope: profileScope(sec.Item, ""),
			Field: f.Name, DocType: f.DocType, RequiredFor: f.RequiredFor, Errors: v.Errs(id)}
		if !f.Required && f.RequiredFor == "" {
			in.Optional = v.T("optional")
		}
		if in.Hint == "" && f.Kind == "date" {
			in.Hint = v.T("profile_hint_date")
		}
		in.Options = profileOptions(v, f, id, in.Value)
		out = append(out, in)
	}
	return out
}

// profileOptions are the choices of a radio group (gender) or a select (document type).
func profileOptions(v *view, f profileField, id, value string) []profileOption {
	var choices []string
	switch f.Kind {
	case "gender":
		choices = []string{"M", "F"}
	case "doc_type":
		choices = []string{proofing.RFPassport, proofing.ForeignPassport}
	default:
		return nil
	}
	out := make([]profileOption, 0, len(choices))
	for _, c := range choices {
		out = append(out, profileOption{ID: id + "-" + c, Value: c, Label: profileShow(v, f, c),
			Selected: strings.EqualFold(value, c)})
	}
	return out
}

// profileVersionsView fills a checked item's state, failure, versions and the button that
// drops its pending change.
func profileVersionsView(v *view, sec profileSection, p *proofing.Profile, sv *profileSectionView) {
	st := p.ItemState(sec.Item)
	sv.State, sv.StateText = string(st), v.T("profile_state_"+string(st))
	ver, pen, at, fail := profVersions(sec, p)
	if fail != nil && st == proofing.ItemFailed {
		sv.Failure = profileReason(v, fail.Registry, fail.Reason)
	}
	if ver != nil && !at.IsZero() {
		s := v.stamp(at)
		sv.VerifiedAt = &s
	}
	if ver != nil && pen != nil {
		for _, f := range sec.Fields {
			a, b := profileShow(v, f, ver[f.Name]), profileShow(v, f, pen[f.Name])
			sv.Compare = append(sv.Compare, profileCompareRow{Label: profileLabel(v, sec.Item, f.Name),
				Verified: a, Pending: b, Changed: a != b})
		}
	}
	switch {
	case sv.Locked:
		sv.Note = v.T("profile_note_locked")
	case pen != nil && ver != nil:
		sv.Note, sv.ClearLabel = v.T("profile_note_pending"), v.T("profile_action_discard")
	case pen != nil:
		sv.ClearLabel = v.T("profile_action_clear")
	}
	if sec.Item == proofing.ItemSNILS && ver != nil && !sv.Locked && pen == nil {
		sv.Note = v.T("profile_note_snils_login")
	}
}

// profVersions returns an item's verified version and pending change as forms show them (nil
// when absent), when it was verified and why its last check failed.
func profVersions(sec profileSection, p *proofing.Profile) (ver, pen profVals, at time.Time, f *proofing.Failure) {
	switch sec.Item {
	case proofing.ItemPersonal:
		return profVersionsOf(sec, &p.Personal)
	case proofing.ItemSNILS:
		return profVersionsOf(sec, &p.SNILS)
	case proofing.ItemIDDoc:
		return profVersionsOf(sec, &p.IDDoc)
	case proofing.ItemINN:
		return profVersionsOf(sec, &p.INN)
	}
	return nil, nil, time.Time{}, nil
}

func profVersionsOf[T comparable](sec profileSection, x *proofing.Versioned[T]) (ver, pen profVals, at time.Time, f *proofing.Failure) {
	if x.Verified != nil {
		ver = profItemValues(sec, x.Verified)
	}
	if x.Pending != nil {
		pen = profItemValues(sec, x.Pending)
	}
	return ver, pen, x.VerifiedAt, x.Failure
}
