package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

func createAccount(t *testing.T, db *sqlstore.DB) *account.Account {
	t.Helper()
	a := newAccount("", "", false)
	if err := db.CreateAccount(ctx(t), a, account.Password{Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	return a
}

func ptr[T any](v T) *T { return &v }

// verifySNILS gives the account a verified SNILS.
func verifySNILS(c context.Context, db *sqlstore.DB, accountID, snils string) error {
	_, err := db.UpdateProfile(c, accountID, func(p *proofing.Profile) error {
		p.SNILS.Verified, p.SNILS.VerifiedAt = ptr(snils), at(0)
		return nil
	})
	return err
}

func testProfiles(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := createAccount(t, db)
	if _, err := db.GetProfile(c, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetProfile(new account) err = %v, want ErrNotFound", err)
	}
	per := proofing.Personal{LastName: "Иванов", FirstName: "Иван", Gender: "M", BirthDate: "1985-03-14",
		BirthPlace: "г. Москва", Citizenship: "RUS"}
	written, err := db.UpdateProfile(c, a.ID, func(p *proofing.Profile) error {
		p.Personal.Pending = &per
		p.SNILS.Verified, p.SNILS.VerifiedAt = ptr("11223344595"), at(time.Hour)
		p.Vehicles = []proofing.Vehicle{{Plate: "А123ВС77", RegCertSeries: "7701", RegCertNumber: "123456"}}
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	got, err := db.GetProfile(c, a.ID)
	if err != nil {
		t.Fatalf("GetProfile: %v", err)
	}
	if diff := cmp.Diff(written, got); diff != "" {
		t.Errorf("profile round trip (-written +read):\n%s", diff)
	}
	if got.SNILS.VerifiedAt.Location() != time.UTC || got.UpdatedAt.Location() != time.UTC {
		t.Errorf("times not in UTC: %v, %v", got.SNILS.VerifiedAt.Location(), got.UpdatedAt.Location())
	}
	// An error from fn writes nothing.
	boom := errors.New("boom")
	_, err = db.UpdateProfile(c, a.ID, func(p *proofing.Profile) error {
		p.Personal.Pending = nil
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("UpdateProfile(failing fn) err = %v, want boom", err)
	}
	if again, _ := db.GetProfile(c, a.ID); again.Personal.Pending == nil || again.Version != got.Version {
		t.Errorf("a failed update changed the profile: %+v", again)
	}
}

// testProfileConcurrent: concurrent read-modify-writes of one profile lose no update.
func testProfileConcurrent(t *testing.T, db *sqlstore.DB) {
	a := createAccount(t, db)
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := db.UpdateProfile(ctx(t), a.ID, func(p *proofing.Profile) error {
				p.Vehicles = append(p.Vehicles, proofing.Vehicle{Plate: string(rune('A' + i))})
				return nil
			})
			if err != nil {
				t.Errorf("UpdateProfile: %v", err)
			}
		})
	}
	wg.Wait()
	p, err := db.GetProfile(ctx(t), a.ID)
	if err != nil || len(p.Vehicles) != n || p.Version != n {
		t.Errorf("after %d concurrent updates: %d vehicles, version %d, err %v", n, len(p.Vehicles), p.Version, err)
	}
}

func testVerifiedSNILS(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a, b := createAccount(t, db), createAccount(t, db)
	// A pending SNILS is neither unique nor found.
	for _, id := range []string{a.ID, b.ID} {
		if _, err := db.UpdateProfile(c, id, func(p *proofing.Profile) error {
			p.SNILS.Pending = ptr("11223344595")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.FindBySNILS(c, "11223344595"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FindBySNILS(pending only) err = %v, want ErrNotFound", err)
	}
	if err := verifySNILS(c, db, a.ID, "11223344595"); err != nil {
		t.Fatalf("verify SNILS of a: %v", err)
	}
	if err := verifySNILS(c, db, b.ID, "11223344595"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("verify the same SNILS on b: err = %v, want ErrConflict", err)
	}
	if owner, err := db.VerifiedSNILSOwner(c, "11223344595"); err != nil || owner != a.ID {
		t.Errorf("VerifiedSNILSOwner = %q, %v; want %s", owner, err, a.ID)
	}
	if _, err := db.VerifiedSNILSOwner(c, "98765432183"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("VerifiedSNILSOwner(unknown) err = %v, want ErrNotFound", err)
	}
	found, err := db.FindBySNILS(c, "11223344595")
	if err != nil || found.ID != a.ID {
		t.Errorf("FindBySNILS = %v, %v; want account %s", found, err, a.ID)
	}
	// Re-verifying the same value on the same account is no conflict.
	if err := verifySNILS(c, db, a.ID, "11223344595"); err != nil {
		t.Errorf("re-verify on the owner: %v", err)
	}
}

func testAccountLevelAndNames(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := createAccount(t, db)
	if err := db.RaiseLevel(c, a.ID, account.Simplified, account.Standard, "", at(time.Hour)); err != nil {
		t.Fatalf("RaiseLevel(simplified->standard) = %v", err)
	}
	if err := db.RaiseLevel(c, a.ID, account.Simplified, account.Standard, "", at(time.Hour)); !errors.Is(err, account.ErrLevelChanged) {
		t.Errorf("second RaiseLevel = %v; want ErrLevelChanged (no longer simplified)", err)
	}
	if err := db.SetNames(c, a.ID, "Петрова", "Анна", "", at(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := db.GetAccount(c, a.ID)
	if got.Level != account.Standard || got.LastName != "Петрова" || got.MiddleName != "" || !got.UpdatedAt.Equal(at(2*time.Hour)) {
		t.Errorf("account = %+v", got)
	}
	if err := db.SetNames(c, newID(), "x", "y", "", at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetNames(unknown) err = %v, want ErrNotFound", err)
	}
}

func newSubmission(accountID string, regs ...string) *proofing.Submission {
	s := &proofing.Submission{ID: newID(), AccountID: accountID, State: proofing.SubmissionChecking,
		Pending: len(regs), CreatedAt: at(0), DeadlineAt: at(120 * time.Hour)}
	for _, r := range regs {
		s.Checks = append(s.Checks, &proofing.Check{ID: newID(), SubmissionID: s.ID, AccountID: accountID,
			Registry: r, State: proofing.CheckPending, Attempt: 1, CreatedAt: at(0), DeadlineAt: s.DeadlineAt,
			NextAt: at(0), Request: proofing.Request{Person: proofing.Personal{LastName: "Иванов"}, SNILS: "11223344595"}})
	}
	return s
}

func testSubmissions(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := createAccount(t, db)
	old := newSubmission(a.ID, "pension_fund")
	s := newSubmission(a.ID, "tax_service", "interior_ministry", "pension_fund")
	s.CreatedAt = at(time.Minute)
	for _, x := range []*proofing.Submission{old, s} {
		if err := db.CreateSubmission(c, x); err != nil {
			t.Fatalf("CreateSubmission: %v", err)
		}
	}
	got, err := db.GetSubmission(c, s.ID)
	if err != nil {
		t.Fatalf("GetSubmission: %v", err)
	}
	want := *s
	want.Checks = []*proofing.Check{s.Checks[1], s.Checks[2], s.Checks[0]} // ordered by registry
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("submission round trip (-want +got):\n%s", diff)
	}
	list, err := db.ListSubmissions(c, a.ID, 10)
	if err != nil || len(list) != 2 || list[0].ID != s.ID || len(list[1].Checks) != 1 {
		t.Errorf("ListSubmissions = %v, %v; want newest first with checks", list, err)
	}
	if _, err := db.GetSubmission(c, newID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSubmission(unknown) err = %v", err)
	}
	if _, err := db.GetCheck(c, newID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetCheck(unknown) err = %v", err)
	}
	ck, err := db.GetCheck(c, s.Checks[0].ID)
	if err != nil || !cmp.Equal(ck, s.Checks[0]) {
		t.Errorf("GetCheck = %+v, %v", ck, err)
	}
}

// testCheckWrites: results and reschedules are conditional on the state and attempt token.
func testCheckWrites(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	s := newSubmission(createAccount(t, db).ID, "interior_ministry", "pension_fund", "tax_service")
	if err := db.CreateSubmission(c, s); err != nil {
		t.Fatal(err)
	}
	ck := s.Checks[0]
	if ok, err := db.RescheduleCheck(c, ck.ID, 1, 1, at(time.Minute), "down"); err != nil || !ok {
		t.Fatalf("RescheduleCheck(attempt 1) = %v, %v", ok, err)
	}
	if ok, _ := db.RescheduleCheck(c, ck.ID, 1, 1, at(time.Minute), "down"); ok {
		t.Error("a stale token rescheduled the check again")
	}
	res := proofing.Result{State: proofing.CheckVerified, At: at(2 * time.Minute)}
	if ok, _ := db.FinishCheck(c, ck.ID, 1, res); ok {
		t.Error("a stale token wrote a result")
	}
	if ok, err := db.FinishCheck(c, ck.ID, 2, res); err != nil || !ok {
		t.Fatalf("FinishCheck(attempt 2) = %v, %v", ok, err)
	}
	if ok, _ := db.FinishCheck(c, ck.ID, 2, proofing.Result{State: proofing.CheckFailed, Reason: "x", At: at(0)}); ok {
		t.Error("a second result was written")
	}
	got, _ := db.GetCheck(c, ck.ID)
	if got.State != proofing.CheckVerified || got.Attempt != 2 || got.Calls != 1 || got.LastError != "down" ||
		!got.FinishedAt.Equal(at(2*time.Minute)) || !got.NextAt.Equal(at(time.Minute)) {
		t.Errorf("check after writes = %+v", got)
	}
	if n, ok, err := db.CheckDone(c, s.ID); err != nil || !ok || n != 2 {
		t.Errorf("CheckDone = %d, %v, %v; want 2 remaining", n, ok, err)
	}
	if ok, err := db.FinishSubmission(c, s.ID, proofing.SubmissionFailed, "document_invalid", at(time.Hour)); err != nil || !ok {
		t.Fatalf("FinishSubmission = %v, %v", ok, err)
	}
	if ok, _ := db.FinishSubmission(c, s.ID, proofing.SubmissionVerified, "", at(time.Hour)); ok {
		t.Error("a finished submission was finished again")
	}
	if _, ok, _ := db.CheckDone(c, s.ID); ok {
		t.Error("CheckDone counted on a finished submission")
	}
	got2, _ := db.GetSubmission(c, s.ID)
	for _, x := range got2.Checks {
		if x.ID != ck.ID && (x.State != proofing.CheckCancelled || x.Reason != "another_check_failed") {
			t.Errorf("check %s after failure = %s %q, want cancelled", x.Registry, x.State, x.Reason)
		}
	}
	if got2.State != proofing.SubmissionFailed || got2.Reason != "document_invalid" || !got2.FinishedAt.Equal(at(time.Hour)) {
		t.Errorf("submission = %+v", got2)
	}
}

// testCheckDoneConcurrent: checks of one submission finishing at once count down exactly.
func testCheckDoneConcurrent(t *testing.T, db *sqlstore.DB) {
	const n = 8
	regs := make([]string, n)
	for i := range regs {
		regs[i] = "r" + string(rune('a'+i))
	}
	s := newSubmission(createAccount(t, db).ID, regs...)
	if err := db.CreateSubmission(ctx(t), s); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int]bool{}
	var wg sync.WaitGroup
	for _, ck := range s.Checks {
		wg.Go(func() {
			err := db.InTx(ctx(t), func(c context.Context) error {
				if ok, err := db.FinishCheck(c, ck.ID, 1, proofing.Result{State: proofing.CheckVerified, At: at(0)}); err != nil || !ok {
					return errors.Join(err, errors.New("not finished"))
				}
				left, ok, err := db.CheckDone(c, s.ID)
				if err != nil || !ok {
					return errors.Join(err, errors.New("not counted"))
				}
				mu.Lock()
				seen[left] = true
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Errorf("finish check: %v", err)
			}
		})
	}
	wg.Wait()
	if len(seen) != n || !seen[0] {
		t.Errorf("remaining counts seen = %v, want each of 0..%d once", seen, n-1)
	}
}
