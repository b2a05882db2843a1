package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/recovery"
)

// recoverData is the content of the recovery's start page.
type recoverData struct {
	Kinds []kindOption
	Value input
	PoW   *pow.Challenge // solved by the page's script while the citizen types
}

// kindOption is one radio button of the identifier kinds.
type kindOption struct {
	Value, Label string
	Checked      bool
}

func recoverPath(id, step string) string {
	p := "/recover/" + url.PathEscape(id)
	if step != "" {
		p += "/" + step
	}
	return p
}

// kindOptions offers kinds, checking the submitted one (the first by default).
func kindOptions(v *view, kinds []recovery.Kind) []kindOption {
	chosen := v.Val("kind")
	var out []kindOption
	for i, k := range kinds {
		out = append(out, kindOption{Value: string(k), Label: v.T("recover_kind_" + string(k)),
			Checked: string(k) == chosen || (chosen == "" && i == 0)})
	}
	return out
}

// recoverForm asks for an identifier; its proof of work is solved while the citizen types.
func (h *Handler) recoverForm(w http.ResponseWriter, r *http.Request) {
	h.renderRecover(w, r, http.StatusOK, h.newView(r, "title_recover"), nil)
}

func (h *Handler) renderRecover(w http.ResponseWriter, r *http.Request, status int, v *view, ch *pow.Challenge) {
	if ch == nil {
		var err error
		if ch, err = h.Recovery.Challenge(r.Context(), h.meta(r)); err != nil {
			h.internal(w, r, err)
			return
		}
	}
	v.Data = recoverData{Kinds: kindOptions(v, recovery.Kinds), PoW: ch,
		Value: textInput(v, "value", "text", "username", 320, true)}
	v.Next = "/recover"
	h.render(w, r, status, "recover", v)
}

// recoverStart starts the recovery. The answer is the same whether or not the identifier
// belongs to an account: the next page.
func (h *Handler) recoverStart(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	rec, err := h.Recovery.Start(r.Context(), recovery.StartInput{Kind: f.Get("kind"), Value: f.Get("value"),
		PoW: solution(r)}, h.meta(r))
	if err != nil {
		v := h.newView(r, "title_recover")
		v.Form = url.Values{"kind": {f.Get("kind")}, "value": {f.Get("value")}}
		if status, ok := h.careExplain(w, r, v, err, sameIDs); ok {
			h.renderRecover(w, r, status, v, powOf(err))
		}
		return
	}
	seeOther(w, r, recoverPath(rec.ID, ""))
}

// recoverCenter explains what to do without the phone: a service center restores access.
func (h *Handler) recoverCenter(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "title_recover_center")
	d := struct{ Centers string }{} // the directory's URL, when it exists
	if h.Centers != nil {
		d.Centers = "/centers?service=recover"
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "recover_center", v)
}

// recoverStepData is the content of the recovery's step page.
type recoverStepData struct {
	ID       string
	Step     string // code, identifier, answer
	Code     input
	Kinds    []kindOption
	Value    input
	Question string
	Answer   input
}

// recoverStep shows the recovery's current step.
func (h *Handler) recoverStep(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "title_recover")
	if r.URL.Query().Get("resent") != "" {
		v.Notice = v.T("recover_notice_resent")
	}
	h.renderStep(w, r, http.StatusOK, v)
}

// renderStep loads the recovery of the path and renders its step on v (which may carry
// errors), or the page it needs.
func (h *Handler) renderStep(w http.ResponseWriter, r *http.Request, status int, v *view) {
	rec, err := h.Recovery.Get(r.Context(), r.PathValue("id"))
	if err == nil && rec.State == recovery.Failed {
		err = recovery.ErrFailed
	}
	if err != nil {
		if _, ok := h.careExplain(w, r, v, err, sameIDs); ok {
			h.internal(w, r, err)
		}
		return
	}
	v.Next = recoverPath(rec.ID, "")
	switch rec.State {
	case recovery.AwaitingPassword:
		h.renderRecoverPassword(w, r, status, v, rec, nil)
		return
	case recovery.Completed:
		v.Title = v.T("title_recover_done")
		h.render(w, r, http.StatusOK, "recover_done", v)
		return
	}
	d := recoverStepData{ID: rec.ID}
	switch rec.State {
	case recovery.AwaitingIdentifier:
		kinds, err := h.Recovery.Accepted(r.Context(), rec)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		d.Step, d.Kinds = "identifier", kindOptions(v, kinds)
		d.Value = textInput(v, "value", "text", "off", 32, false)
		d.Value.Label = v.T("care_label_document")
	case recovery.AwaitingAnswer:
		q, err := h.Recovery.Question(r.Context(), rec)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		d.Step, d.Question = "answer", q
		d.Answer = textInput(v, "answer", "text", "off", 200, true)
		d.Answer.Label = q
	default:
		d.Step = "code"
		d.Code = textInput(v, "code", "text", "one-time-code", 6, true)
		d.Code.InputMode = "numeric"
	}
	v.Data = d
	h.render(w, r, status, "recover_step", v)
}

// recoverAct runs one step of the recovery from the posted form, then shows the next step,
// or the same one with the error.
func (h *Handler) recoverAct(w http.ResponseWriter, r *http.Request, act func(id string) error) {
	if !h.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := act(id); err != nil {
		v := h.newView(r, "title_recover")
		v.Form = url.Values{"kind": {r.PostForm.Get("kind")}, "value": {r.PostForm.Get("value")}}
		status, ok := h.careExplain(w, r, v, err, recoverIDs)
		if ok {
			h.renderStep(w, r, status, v)
		}
		return
	}
	seeOther(w, r, recoverPath(id, ""))
}

// recoverIDs maps the domain's fields to the inputs of the step page.
func recoverIDs(field string) string {
	switch field {
	case "code", "value", "answer", "kind":
		return field
	case "password":
		return "password"
	}
	return ""
}

func (h *Handler) recoverConfirm(w http.ResponseWriter, r *http.Request) {
	h.recoverAct(w, r, func(id string) error {
		_, err := h.Recovery.Confirm(r.Context(), id, r.PostForm.Get("code"), h.meta(r))
		return err
	})
}

func (h *Handler) recoverResend(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	if _, err := h.Recovery.Resend(r.Context(), id, h.meta(r)); err != nil {
		v := h.newView(r, "title_recover")
		if status, ok := h.careExplain(w, r, v, err, func(string) string { return "" }); ok {
			h.renderStep(w, r, status, v)
		}
		return
	}
	seeOther(w, r, recoverPath(id, "")+"?resent=1")
}

func (h *Handler) recoverIdentify(w http.ResponseWriter, r *http.Request) {
	h.recoverAct(w, r, func(id string) error {
		_, err := h.Recovery.Identify(r.Context(), id, r.PostForm.Get("kind"), r.PostForm.Get("value"), h.meta(r))
		return err
	})
}

func (h *Handler) recoverAnswer(w http.ResponseWriter, r *http.Request) {
	h.recoverAct(w, r, func(id string) error {
		_, err := h.Recovery.Answer(r.Context(), id, r.PostForm.Get("answer"), h.meta(r))
		return err
	})
}

// recoverPasswordData is the content of the recovery's password page.
type recoverPasswordData struct {
	ID     string
	Rules  []rule
	Errors []string
}

func (h *Handler) renderRecoverPassword(w http.ResponseWriter, r *http.Request, status int, v *view, rec *recovery.Recovery, broken map[string]bool) {
	v.Title = v.T("title_recover_password")
	v.Data = recoverPasswordData{ID: rec.ID, Rules: passwordRules(v, broken), Errors: v.Errs("password")}
	h.render(w, r, status, "recover_password", v)
}

// passwordRules lists the password rules; broken, when not nil, holds the codes the last
// password broke.
func passwordRules(v *view, broken map[string]bool) []rule {
	var out []rule
	for _, rc := range ruleCodes {
		ru := rule{Key: rc.key, Text: v.T("rule_" + rc.key)}
		if broken != nil {
			ru.State = "met"
			for _, code := range rc.codes {
				if broken[code] {
					ru.State = "unmet"
				}
			}
		}
		out = append(out, ru)
	}
	return out
}

// brokenRules returns the policy codes of a rejected password, or nil.
func brokenRules(err error) map[string]bool {
	var ve *flow.ValidationError
	if !errors.As(err, &ve) || ve.Code != "password_too_weak" {
		return nil
	}
	out := map[string]bool{}
	for _, f := range ve.Fields {
		out[f.Code] = true
	}
	return out
}

// recoverPassword sets the new password; the citizen then signs in with it.
func (h *Handler) recoverPassword(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	_, err := h.Recovery.SetPassword(r.Context(), id, r.PostForm.Get("password"), h.meta(r))
	if err == nil {
		seeOther(w, r, recoverPath(id, ""))
		return
	}
	rec, gerr := h.Recovery.Get(r.Context(), id)
	v := h.newView(r, "title_recover_password")
	status, ok := h.careExplain(w, r, v, err, recoverIDs)
	if !ok {
		return
	}
	if gerr != nil || rec.State != recovery.AwaitingPassword {
		h.renderStep(w, r, status, v)
		return
	}
	h.renderRecoverPassword(w, r, status, v, rec, brokenRules(err))
}
