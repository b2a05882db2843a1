package web

import (
	"net/url"
	"strings"
)

// view is what every page template gets: the language, messages about the form, the values
// to show again, and the page's own Data.
type view struct {
	translator
	Lang    string
	Title   string // translated page title
	Next    string // where the language switch returns
	Dev     bool
	Alert   string     // a message about the whole form, shown with role="alert"
	Notice  string     // a confirmation, shown with role="status"
	Summary []fieldMsg // every field error, linked to its field
	Form    url.Values // submitted values shown again (never passwords)
	Data    any
	errs    map[string][]string // translated errors by field id
	assets  map[string]string   // static file name -> versioned URL
}

// fieldMsg is one field error in the summary.
type fieldMsg struct {
	ID, Text string
}

// addFieldError attaches a translated message to the field with the given element id.
func (v *view) addFieldError(id, msg string) {
	if v.errs == nil {
		v.errs = map[string][]string{}
	}
	for _, m := range v.errs[id] {
		if m == msg {
			return
		}
	}
	v.errs[id] = append(v.errs[id], msg)
	v.Summary = append(v.Summary, fieldMsg{ID: id, Text: v.labelled(id, msg)})
}

// labelled prefixes msg with the label of the input id, for the error summary.
func (v *view) labelled(id, msg string) string {
	label := "label_" + strings.ReplaceAll(id, "-", "_")
	if !v.Has(label) {
		return msg
	}
	return v.T(label) + ": " + msg
}

// Errs returns the errors of the field with element id.
func (v *view) Errs(id string) []string { return v.errs[id] }

// Val returns the submitted value of the form field name.
func (v *view) Val(name string) string { return v.Form.Get(name) }

// Asset returns the versioned URL of an embedded static file.
func (v *view) Asset(name string) string { return v.assets[name] }

// Field describes the input name for the shared field template.
func (v *view) Field(name string) input {
	spec := fieldSpecs[name]
	in := input{
		ID: name, Name: name, Type: spec.typ, Autocomplete: spec.autocomplete, InputMode: spec.inputMode,
		MaxLen: spec.maxLen, Required: spec.required, Label: v.T("label_" + name),
		Errors: v.Errs(name),
	}
	if spec.typ != "password" {
		in.Value = v.Val(name)
	}
	if spec.hint {
		in.Hint = v.T("hint_" + name)
	}
	if !spec.required {
		in.Optional = v.T("optional")
	}
	return in
}

// input is one labelled form control with its hint and errors.
type input struct {
	ID, Name, Type, Autocomplete, InputMode string
	Label, Hint, Optional, Value            string
	MaxLen                                  int
	Required                                bool
	Errors                                  []string
}

// Describedby lists the ids of the elements that describe the input: its error, its hint.
func (in input) Describedby() string {
	var ids []string
	if len(in.Errors) > 0 {
		ids = append(ids, in.ID+"-error")
	}
	if in.Hint != "" {
		ids = append(ids, in.ID+"-hint")
	}
	return strings.Join(ids, " ")
}

type fieldSpec struct {
	typ, autocomplete, inputMode string
	maxLen                       int
	required, hint               bool
}

// fieldSpecs describe the plain inputs of the registration and sign-in forms.
var fieldSpecs = map[string]fieldSpec{
	"last_name":   {typ: "text", autocomplete: "family-name", maxLen: 100, required: true},
	"first_name":  {typ: "text", autocomplete: "given-name", maxLen: 100, required: true},
	"middle_name": {typ: "text", autocomplete: "additional-name", maxLen: 100, hint: true},
	"phone":       {typ: "tel", autocomplete: "tel", inputMode: "tel", maxLen: 32, hint: true},
	"email":       {typ: "email", autocomplete: "email", inputMode: "email", maxLen: 254, hint: true},
	"login":       {typ: "text", autocomplete: "username", maxLen: 320, required: true, hint: true},
	"password":    {typ: "password", autocomplete: "current-password", maxLen: 1024, required: true},
}
