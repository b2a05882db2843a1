package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/proofing"
)

// The profile: personal data and documents, their registry checks.

// profileUpdateRequest is a partial update: an absent key leaves its item alone, null removes
// it (for a checked item: discards the pending change), a value replaces it.
type profileUpdateRequest struct {
	Personal              json.RawMessage `json:"personal"`
	SNILS                 json.RawMessage `json:"snils"`
	IDDoc                 json.RawMessage `json:"id_doc"`
	INN                   json.RawMessage `json:"inn"`
	DriversLicence        json.RawMessage `json:"drivers_licence"`
	MedicalPolicy         json.RawMessage `json:"medical_policy"`
	InternationalPassport json.RawMessage `json:"international_passport"`
	MilitaryID            json.RawMessage `json:"military_id"`
	Vehicles              json.RawMessage `json:"vehicles"`
	RegistrationAddress   json.RawMessage `json:"registration_address"`
	ActualAddress         json.RawMessage `json:"actual_address"`
}

// submitRequest is the (empty) body of a submission.
type submitRequest struct{}

func (h *Handler) getProfile(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	p, last, err := h.Profile.Profile(r.Context(), sess.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, profileBody(p, last))
}

func (h *Handler) updateProfile(w http.ResponseWriter, r *http.Request) {
	var in profileUpdateRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	patch, p := in.patch()
	if p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	if _, err := h.Profile.Update(r.Context(), sess.AccountID, patch, h.proofingMeta(r)); err != nil {
		h.proofingFail(w, r, err)
		return
	}
	prof, last, err := h.Profile.Profile(r.Context(), sess.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, profileBody(prof, last))
}

func (h *Handler) submitProfile(w http.ResponseWriter, r *http.Request) {
	var in submitRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	sub, err := h.Profile.Submit(r.Context(), sess.AccountID, h.proofingMeta(r))
	if err != nil {
		h.proofingFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/me/profile/checks")
	httpx.WriteJSON(w, http.StatusAccepted, submissionView(sub))
}

func (h *Handler) profileChecks(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	subs, err := h.Profile.Submissions(r.Context(), sess.AccountID, 20)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := checksResponse{Submissions: []submissionBody{}}
	for _, s := range subs {
		out.Submissions = append(out.Submissions, submissionView(s))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (h *Handler) proofingMeta(r *http.Request) proofing.Meta {
	return proofing.Meta{IP: httpx.ClientIP(r, h.TrustedProxies)}
}

// proofingFail writes the problem for a proofing refusal, or falls back to fail.
func (h *Handler) proofingFail(w http.ResponseWriter, r *http.Request, err error) {
	var e *proofing.Error
	if !errors.As(err, &e) {
		h.fail(w, r, err)
		return
	}
	p := httpx.NewProblem(e.Code, e.Detail)
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, httpx.FieldError{Field: f.Field, Code: f.Code, Message: f.Message})
	}
	httpx.WriteProblem(w, p)
}

// requirementsMet tells GET /me which next-level requirements the profile already meets.
func (h *Handler) requirementsMet(ctx context.Context, accountID string) (func(account.Requirement) bool, error) {
	if h.Profile == nil {
		return nil, nil
	}
	return h.Profile.Met(ctx, accountID)
}

// patch decodes each present key strictly into its item, collecting every field problem.
func (in *profileUpdateRequest) patch() (proofing.Patch, *httpx.Problem) {
	var pt proofing.Patch
	var errs []httpx.FieldError
	items := []struct {
		raw  json.RawMessage
		item proofing.Item
		dst  any
	}{
		{in.Personal, proofing.ItemPersonal, &pt.Personal},
		{in.SNILS, proofing.ItemSNILS, &pt.SNILS},
		{in.IDDoc, proofing.ItemIDDoc, &pt.IDDoc},
		{in.INN, proofing.ItemINN, &pt.INN},
		{in.DriversLicence, proofing.ItemDriversLicence, &pt.DriversLicence},
		{in.MedicalPolicy, proofing.ItemMedicalPolicy, &pt.MedicalPolicy},
		{in.InternationalPassport, proofing.ItemInternationalPassport, &pt.InternationalPassport},
		{in.MilitaryID, proofing.ItemMilitaryID, &pt.MilitaryID},
		{in.Vehicles, proofing.ItemVehicles, &pt.Vehicles},
		{in.RegistrationAddress, proofing.ItemRegistrationAddress, &pt.RegistrationAddress},
		{in.ActualAddress, proofing.ItemActualAddress, &pt.ActualAddress},
	}
	for _, it := range items {
		switch {
		case it.raw == nil:
		case string(it.raw) == "null":
			pt.Clear = append(pt.Clear, it.item)
		default:
			if fe := decodeStrict(it.raw, it.dst, string(it.item)); fe != nil {
				errs = append(errs, *fe)
			}
		}
	}
	if len(errs) > 0 {
		p := httpx.NewProblem("validation_failed", "")
		p.Errors = errs
		return pt, p
	}
	return pt, nil
}

// decodeStrict decodes raw into dst refusing unknown fields; a problem is reported against
// the field's path below prefix.
func decodeStrict(raw json.RawMessage, dst any, prefix string) *httpx.FieldError {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			return &httpx.FieldError{Field: prefix, Code: "wrong_type", Message: "expected one JSON value"}
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		field := prefix
		if te.Field != "" {
			field += "." + te.Field
		}
		return &httpx.FieldError{Field: field, Code: "wrong_type", Message: "expected " + kindWord(te.Type.Kind())}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &httpx.FieldError{Field: prefix + "." + name, Code: "unknown_field", Message: "this field is not accepted"}
	}
	return &httpx.FieldError{Field: prefix, Code: "wrong_type", Message: "not valid JSON for this field"}
}

func kindWord(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}
