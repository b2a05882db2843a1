package proofing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/registry"
)

func code(err error) string {
	var e *proofing.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "not a proofing error: " + err.Error()
}

func fieldCodes(err error) []string {
	var e *proofing.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	return out
}

// TestVerifyRaisesSimplified walks the main path: draft -> checking (locked) -> verified,
// level standard, messages to the confirmed contacts, the INN filled in by the tax service.
func TestVerifyRaisesSimplified(t *testing.T) {
	f := newFake()
	e := newEnv(t, f.registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	p, last := e.profile(a.ID)
	if p.ItemState(proofing.ItemSNILS) != proofing.ItemDraft || p.SNILS.Pending == nil || *p.SNILS.Pending != "11223344595" || last != nil {
		t.Fatalf("after entering: snils %s %v, last submission %v", p.ItemState(proofing.ItemSNILS), p.SNILS.Pending, last)
	}

	sub := e.submit(a.ID)
	want := map[string]string{"pension_fund": "pending", "interior_ministry": "pending", "tax_service": "pending"}
	if diff := cmp.Diff(want, states(sub)); diff != "" || sub.State != proofing.SubmissionChecking {
		t.Fatalf("submission %s, checks (-want +got):\n%s", sub.State, diff)
	}
	if !sub.DeadlineAt.Equal(t0.Add(5 * 24 * time.Hour)) {
		t.Errorf("deadline = %v, want 5 days after submission", sub.DeadlineAt)
	}
	// While checking, checked items are read-only; other data are not.
	_, err := e.svc.Update(context.Background(), a.ID, proofing.Patch{SNILS: ptr("98765432183")}, proofing.Meta{})
	if code(err) != "field_locked" || !cmp.Equal(fieldCodes(err), []string{"snils:field_locked"}) {
		t.Errorf("changing the SNILS under check: %v %v, want field_locked on snils", err, fieldCodes(err))
	}
	_, err = e.svc.Update(context.Background(), a.ID, proofing.Patch{Clear: []proofing.Item{proofing.ItemIDDoc}}, proofing.Meta{})
	if code(err) != "field_locked" {
		t.Errorf("discarding the passport under check: err = %v, want field_locked", err)
	}
	e.fill(a.ID, proofing.Patch{MedicalPolicy: &proofing.MedicalPolicy{Number: "1234567890123456"}})
	e.fill(a.ID, fullPatch()) // the checked items sent again unchanged, as a page re-sending its form does
	if _, err := e.svc.Submit(context.Background(), a.ID, proofing.Meta{}); code(err) != "check_in_progress" {
		t.Errorf("second submit: err = %v, want check_in_progress", err)
	}
	if p, _ := e.profile(a.ID); p.ItemState(proofing.ItemIDDoc) != proofing.ItemChecking {
		t.Errorf("id_doc state under check = %s", p.ItemState(proofing.ItemIDDoc))
	}

	e.run()
	p, last = e.profile(a.ID)
	want = map[string]string{"pension_fund": "verified", "interior_ministry": "verified", "tax_service": "verified"}
	if diff := cmp.Diff(want, states(last)); diff != "" || last.State != proofing.SubmissionVerified {
		t.Fatalf("after the checks: submission %s (-want +got):\n%s", last.State, diff)
	}
	for _, i := range []proofing.Item{proofing.ItemPersonal, proofing.ItemSNILS, proofing.ItemIDDoc, proofing.ItemINN} {
		if s := p.ItemState(i); s != proofing.ItemVerified {
			t.Errorf("%s = %s, want verified", i, s)
		}
	}
	if p.INN.Verified == nil || *p.INN.Verified != "500100732259" || p.Checking() {
		t.Errorf("INN = %v, checking = %v; want the INN the tax service returned, unlocked", mustJSON(p.INN), p.Checking())
	}
	if got := e.account(a.ID); got.Level != account.Standard {
		t.Errorf("level = %s, want standard", got.Level)
	}
	for _, to := range []string{a.Contacts[0].Value, a.Contacts[1].Value} {
		msgs := e.sent.to(to)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "стандартн") {
			t.Errorf("messages to %s = %+v, want one saying the account is standard", to, msgs)
		}
	}
	if n := e.pendingJobs(proofing.JobKind); n != 0 {
		t.Errorf("%d check jobs left", n)
	}
	if _, err := e.svc.Submit(context.Background(), a.ID, proofing.Meta{}); code(err) != "nothing_to_check" {
		t.Errorf("submit with nothing changed: err = %v, want nothing_to_check", err)
	}
}

func TestConfirmedAccountStaysConfirmed(t *testing.T) {
	e := newEnv(t, newFake().registries())
	a := e.newAccount(account.Simplified)
	if err := e.db.SetLevel(context.Background(), a.ID, account.Confirmed, "in_person", t0); err != nil {
		t.Fatal(err)
	}
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()
	got := e.account(a.ID)
	if got.Level != account.Confirmed || got.ConfirmationMethod != "in_person" {
		t.Errorf("account after the checks = %s/%s, want confirmed/in_person", got.Level, got.ConfirmationMethod)
	}
	if p, _ := e.profile(a.ID); p.ItemState(proofing.ItemSNILS) != proofing.ItemVerified {
		t.Errorf("SNILS state = %s", p.ItemState(proofing.ItemSNILS))
	}
}

// TestFailedCheckThenResubmit: a failing check fails the submission at once, cancels the
// others, says which item and why, unlocks; a corrected resubmission passes.
func TestFailedCheckThenResubmit(t *testing.T) {
	f := newFake()
	e := newEnv(t, f.registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	f.set(func(reg string, _ registry.Person, v string) (registry.Result, error) {
		switch reg {
		case registry.NameDocument:
			return registry.Result{Outcome: registry.NotVerified, Reason: registry.ReasonDocumentMismatch}, nil
		case registry.NameINN:
			return registry.Result{}, registry.ErrUnavailable // still pending when the document fails
		}
		return registry.Result{Outcome: registry.Verified}, nil
	})
	e.submit(a.ID)
	e.run()
	p, last := e.profile(a.ID)
	want := map[string]string{"pension_fund": "verified", "interior_ministry": "failed:document_mismatch",
		"tax_service": "cancelled:another_check_failed"}
	if got := states(last); got["pension_fund"] == "cancelled:another_check_failed" {
		want["pension_fund"] = got["pension_fund"] // the document's answer came first
	}
	if diff := cmp.Diff(want, states(last)); diff != "" || last.State != proofing.SubmissionFailed || last.Reason != "document_mismatch" {
		t.Fatalf("submission %s %q (-want +got):\n%s", last.State, last.Reason, diff)
	}
	if p.Checking() || p.ItemState(proofing.ItemIDDoc) != proofing.ItemFailed || p.IDDoc.Failure.Reason != "document_mismatch" ||
		p.IDDoc.Failure.Registry != registry.NameDocument {
		t.Errorf("id_doc = %s %+v; want failed with the registry and reason", p.ItemState(proofing.ItemIDDoc), p.IDDoc.Failure)
	}
	if p.ItemState(proofing.ItemSNILS) != proofing.ItemDraft || p.SNILS.Verified != nil {
		t.Errorf("SNILS = %s, verified %v; want still a draft (nothing promoted)", p.ItemState(proofing.ItemSNILS), p.SNILS.Verified)
	}
	if got := e.account(a.ID); got.Level != account.Simplified {
		t.Errorf("level = %s", got.Level)
	}
	if msgs := e.sent.to(a.Contacts[1].Value); len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "не прошли") {
		t.Errorf("failure messages = %+v", msgs)
	}
	e.runFor(3*time.Hour, 10*time.Minute) // the cancelled check's retry job finds nothing to do
	if n := e.pendingJobs(proofing.JobKind); n != 0 {
		t.Errorf("%d check jobs left after the failure", n)
	}

	// Correct the document and submit again.
	f.set(nil)
	doc := ivanovPassport()
	doc.IssueDate = "2005-04-03"
	e.fill(a.ID, proofing.Patch{IDDoc: &doc})
	if p, _ := e.profile(a.ID); p.ItemState(proofing.ItemIDDoc) != proofing.ItemDraft {
		t.Errorf("corrected id_doc = %s, want draft", p.ItemState(proofing.ItemIDDoc))
	}
	e.submit(a.ID)
	e.run()
	p, last = e.profile(a.ID)
	if last.State != proofing.SubmissionVerified || p.IDDoc.Verified == nil || p.IDDoc.Verified.IssueDate != "2005-04-03" {
		t.Errorf("resubmission %s, verified doc %+v", last.State, p.IDDoc.Verified)
	}
	if got := e.account(a.ID); got.Level != account.Standard {
		t.Errorf("level = %s", got.Level)
	}
}

// TestChangeVerifiedData: a new passport and a new surname on a standard account start a new
// check; the old values stay in force (and in the claims) until it passes; a failure keeps
// them; the level never drops.
func TestChangeVerifiedData(t *testing.T) {
	f := newFake()
	e := newEnv(t, f.registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()

	per, doc := ivanov(), ivanovPassport()
	per.LastName, doc.Number, doc.IssueDate = "Смирнов", "654321", "2025-01-10"
	e.fill(a.ID, proofing.Patch{Personal: &per, IDDoc: &doc})
	claims := func() map[string]any {
		c, err := e.svc.ClaimsFor(context.Background(), a.ID, []string{"id_doc", "birthdate"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if got := claims()["id_doc"].(map[string]any)["number"]; got != "123456" {
		t.Errorf("id_doc number released while the change is a draft = %v, want the verified 123456", got)
	}
	sub := e.submit(a.ID)
	// Personal data changed: every registry checks again, the INN against the new name.
	want := map[string]string{"pension_fund": "pending", "interior_ministry": "pending", "tax_service": "pending"}
	if diff := cmp.Diff(want, states(sub)); diff != "" {
		t.Errorf("checks of the change (-want +got):\n%s", diff)
	}
	if got := claims()["id_doc"].(map[string]any)["number"]; got != "123456" {
		t.Errorf("id_doc number released under check = %v, want 123456", got)
	}

	f.set(func(reg string, p registry.Person, v string) (registry.Result, error) {
		if reg == registry.NameSNILS && p.LastName == "Смирнов" {
			return registry.Result{Outcome: registry.NotVerified, Reason: registry.ReasonNameMismatch}, nil
		}
		return registry.Result{Outcome: registry.Verified, INN: v}, nil
	})
	e.run()
	p, last := e.profile(a.ID)
	if last.State != proofing.SubmissionFailed || p.ItemState(proofing.ItemPersonal) != proofing.ItemFailed {
		t.Errorf("after a name mismatch: submission %s, personal %s", last.State, p.ItemState(proofing.ItemPersonal))
	}
	if p.Personal.Verified.LastName != "Иванов" || p.IDDoc.Verified.Number != "123456" {
		t.Errorf("verified data changed by a failed check: %+v %+v", p.Personal.Verified, p.IDDoc.Verified)
	}
	if got := e.account(a.ID); got.Level != account.Standard || got.LastName != "Иванов" {
		t.Errorf("account after the failure = %s %s", got.Level, got.LastName)
	}

	f.set(nil)
	e.submit(a.ID)
	e.run()
	p, last = e.profile(a.ID)
	if last.State != proofing.SubmissionVerified || p.Personal.Verified.LastName != "Смирнов" {
		t.Fatalf("after the retry: %s, %+v", last.State, p.Personal.Verified)
	}
	if got := claims()["id_doc"].(map[string]any)["number"]; got != "654321" {
		t.Errorf("id_doc number = %v, want the new 654321", got)
	}
	if got := e.account(a.ID); got.Level != account.Standard || got.LastName != "Смирнов" {
		t.Errorf("account = %s %s, want standard Смирнов", got.Level, got.LastName)
	}
}

// TestOnlyChangedItemsAreChecked: a new passport alone is checked by the interior ministry
// alone.
func TestOnlyChangedItemsAreChecked(t *testing.T) {
	e := newEnv(t, newFake().registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()
	doc := ivanovPassport()
	doc.Number = "111111"
	e.fill(a.ID, proofing.Patch{IDDoc: &doc})
	sub := e.submit(a.ID)
	if diff := cmp.Diff(map[string]string{"interior_ministry": "pending"}, states(sub)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	// Setting an item back to its verified value drops the change.
	e.run()
	e.fill(a.ID, proofing.Patch{SNILS: ptr("11223344595")})
	if _, err := e.svc.Submit(context.Background(), a.ID, proofing.Meta{}); code(err) != "nothing_to_check" {
		t.Errorf("submit after re-entering the verified SNILS: %v", err)
	}
}

func TestRegistryTimeout(t *testing.T) {
	f := newFake()
	f.set(func(reg string, _ registry.Person, _ string) (registry.Result, error) {
		if reg == registry.NameDocument {
			return registry.Result{}, registry.ErrUnavailable
		}
		return registry.Result{Outcome: registry.Verified, INN: "500100732259"}, nil
	})
	e := newEnv(t, f.registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	sub := e.submit(a.ID)
	e.runFor(5*24*time.Hour-time.Minute, 30*time.Minute)
	if _, last := e.profile(a.ID); last.State != proofing.SubmissionChecking {
		t.Fatalf("a minute before the deadline the submission is %s %v %+v", last.State, states(last), last.Checks[0])
	}
	e.runFor(2*time.Minute, time.Minute)
	p, last := e.profile(a.ID)
	if states(last)[registry.NameDocument] != "failed:registry_timeout" || last.State != proofing.SubmissionFailed {
		t.Errorf("after the deadline: %s %v", last.State, states(last))
	}
	if !last.FinishedAt.Before(sub.DeadlineAt.Add(2 * time.Minute)) {
		t.Errorf("finished at %v, deadline %v: the timeout came late", last.FinishedAt, sub.DeadlineAt)
	}
	if p.Checking() || p.IDDoc.Failure == nil || p.IDDoc.Failure.Reason != "registry_timeout" {
		t.Errorf("profile after the timeout: checking %v, failure %+v", p.Checking(), p.IDDoc.Failure)
	}
	calls := f.count(registry.NameDocument)
	if calls < 20 || calls > 400 {
		t.Errorf("the interior ministry was called %d times in 5 days; want exponential backoff up to an hour", calls)
	}
	if n := e.pendingJobs(proofing.JobKind); n != 0 {
		t.Errorf("%d check jobs left", n)
	}
}

func TestRejectedRequestFails(t *testing.T) {
	f := newFake()
	f.set(func(reg string, _ registry.Person, v string) (registry.Result, error) {
		if reg == registry.NameSNILS {
			return registry.Result{}, errors.Join(registry.ErrRejected, errors.New("bad credential"))
		}
		return registry.Result{Outcome: registry.Verified, INN: v}, nil
	})
	e := newEnv(t, f.registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()
	_, last := e.profile(a.ID)
	if states(last)[registry.NameSNILS] != "failed:registry_rejected" || f.count(registry.NameSNILS) != 1 {
		t.Errorf("checks %v after %d calls; want registry_rejected after one call", states(last), f.count(registry.NameSNILS))
	}
}

// TestINNLookupFindsNothing: an INN lookup without result is skipped; the submission passes.
func TestINNLookupFindsNothing(t *testing.T) {
	f := newFake()
	f.set(func(reg string, _ registry.Person, v string) (registry.Result, error) {
		if reg == registry.NameINN {
			return registry.Result{Outcome: registry.NotVerified, Reason: registry.ReasonNotFound}, nil
		}
		return registry.Result{Outcome: registry.Verified}, nil
	})
	e := newEnv(t, f.registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()
	p, last := e.profile(a.ID)
	if last.State != proofing.SubmissionVerified || states(last)[registry.NameINN] != "skipped:inn_not_found" {
		t.Errorf("submission %s, checks %v", last.State, states(last))
	}
	if p.ItemState(proofing.ItemINN) != proofing.ItemEmpty || e.account(a.ID).Level != account.Standard {
		t.Errorf("INN %s, level %s", p.ItemState(proofing.ItemINN), e.account(a.ID).Level)
	}
}

// TestGivenINNMustMatch: an INN the citizen gives is checked, and a wrong one fails.
func TestGivenINNMustMatch(t *testing.T) {
	f := newFake()
	f.set(func(reg string, _ registry.Person, v string) (registry.Result, error) {
		if reg == registry.NameINN {
			return registry.Result{Outcome: registry.NotVerified, Reason: registry.ReasonNotFound}, nil
		}
		return registry.Result{Outcome: registry.Verified}, nil
	})
	e := newEnv(t, f.registries())
	a := e.newAccount(account.Simplified)
	pt := fullPatch()
	pt.INN = ptr("500100732259")
	e.fill(a.ID, pt)
	e.submit(a.ID)
	e.run()
	p, last := e.profile(a.ID)
	if last.State != proofing.SubmissionFailed || p.ItemState(proofing.ItemINN) != proofing.ItemFailed {
		t.Errorf("submission %s, INN %s", last.State, p.ItemState(proofing.ItemINN))
	}
}

func TestSubmitRefusals(t *testing.T) {
	e := newEnv(t, newFake().registries())
	a := e.newAccount(account.Simplified)
	ctx := context.Background()
	if _, err := e.svc.Submit(ctx, a.ID, proofing.Meta{}); code(err) != "nothing_to_check" {
		t.Errorf("empty profile: %v", err)
	}
	e.fill(a.ID, proofing.Patch{SNILS: ptr("11223344595")})
	_, err := e.svc.Submit(ctx, a.ID, proofing.Meta{})
	if want := []string{"personal:required", "id_doc:required"}; code(err) != "validation_failed" || !cmp.Equal(fieldCodes(err), want) {
		t.Errorf("incomplete profile: %v %v, want %v", err, fieldCodes(err), want)
	}
	per, doc := ivanov(), ivanovPassport()
	per.Citizenship = "KAZ"
	doc.IssueDate = "1998-01-10" // before the 14th birthday
	e.fill(a.ID, proofing.Patch{Personal: &per, IDDoc: &doc})
	_, err = e.svc.Submit(ctx, a.ID, proofing.Meta{})
	if want := []string{"id_doc.type:document_type_mismatch", "id_doc.issue_date:issued_before_14"}; !cmp.Equal(fieldCodes(err), want) {
		t.Errorf("inconsistent profile: %v, want %v", fieldCodes(err), want)
	}
	e.svc.Registries = registry.Registries{}
	if _, err := e.svc.Submit(ctx, a.ID, proofing.Meta{}); code(err) != "unavailable" {
		t.Errorf("without registries: %v", err)
	}
}

func TestPassportOutgrown(t *testing.T) {
	e := newEnv(t, newFake().registries())
	a := e.newAccount(account.Simplified)
	pt := fullPatch()
	pt.Personal.BirthDate = "1980-01-10"
	pt.IDDoc.IssueDate = "1999-05-01" // issued at 19, the owner turned 45 in January 2025
	e.fill(a.ID, pt)
	_, err := e.svc.Submit(context.Background(), a.ID, proofing.Meta{})
	if !cmp.Equal(fieldCodes(err), []string{"id_doc.issue_date:document_expired"}) {
		t.Errorf("an outgrown passport: %v", fieldCodes(err))
	}
}

func TestDiscardPendingChange(t *testing.T) {
	e := newEnv(t, newFake().registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()
	e.fill(a.ID, proofing.Patch{SNILS: ptr("98765432183")})
	e.fill(a.ID, proofing.Patch{Clear: []proofing.Item{proofing.ItemSNILS}})
	p, _ := e.profile(a.ID)
	if p.SNILS.Pending != nil || p.SNILS.Verified == nil || p.ItemState(proofing.ItemSNILS) != proofing.ItemVerified {
		t.Errorf("after discarding: %+v", p.SNILS)
	}
}

func TestTransitions(t *testing.T) {
	subs := []proofing.SubmissionState{proofing.SubmissionChecking, proofing.SubmissionVerified, proofing.SubmissionFailed}
	allowed := map[[2]proofing.SubmissionState]bool{
		{proofing.SubmissionChecking, proofing.SubmissionVerified}: true,
		{proofing.SubmissionChecking, proofing.SubmissionFailed}:   true,
	}
	for _, from := range subs {
		for _, to := range subs {
			if got := from.CanMove(to); got != allowed[[2]proofing.SubmissionState{from, to}] {
				t.Errorf("submission %s -> %s allowed = %v", from, to, got)
			}
		}
	}
	checks := []proofing.CheckState{proofing.CheckPending, proofing.CheckVerified, proofing.CheckFailed,
		proofing.CheckSkipped, proofing.CheckCancelled}
	for _, from := range checks {
		for _, to := range checks {
			if got, want := from.CanMove(to), from == proofing.CheckPending; got != want {
				t.Errorf("check %s -> %s allowed = %v, want %v", from, to, got, want)
			}
		}
	}
}

func TestNextLevelNeeds(t *testing.T) {
	e := newEnv(t, newFake().registries())
	a := e.newAccount(account.Simplified)
	needs := func() []account.Requirement {
		_, n, _, err := e.svc.NextLevel(context.Background(), e.account(a.ID))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	all := []account.Requirement{account.NeedPersonalData, account.NeedSNILS, account.NeedIDDocument, account.NeedRegistryCheck}
	if got := needs(); !cmp.Equal(got, all) {
		t.Errorf("empty profile needs %v", got)
	}
	e.fill(a.ID, proofing.Patch{SNILS: ptr("11223344595")})
	if got := needs(); !cmp.Equal(got, []account.Requirement{account.NeedPersonalData, account.NeedIDDocument, account.NeedRegistryCheck}) {
		t.Errorf("with a SNILS: %v", got)
	}
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()
	if got := needs(); !cmp.Equal(got, []account.Requirement{account.NeedConfirmation}) {
		t.Errorf("standard account needs %v", got)
	}
}
