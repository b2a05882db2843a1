package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

func testRateCounters(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	w := time.Minute
	for i := 1; i <= 3; i++ {
		if n, err := db.Hit(c, "k", at(0), w); err != nil || n != i {
			t.Fatalf("Hit #%d = %d, %v", i, n, err)
		}
	}
	if n, _ := db.Count(c, "k", at(0)); n != 3 {
		t.Errorf("Count = %d, want 3", n)
	}
	if n, _ := db.Count(c, "other", at(0)); n != 0 {
		t.Errorf("Count(unknown) = %d, want 0", n)
	}
	if n, _ := db.Hit(c, "k", at(w), w); n != 1 {
		t.Errorf("first hit of a new window = %d, want 1", n)
	}
	if n, _ := db.Count(c, "k", at(0)); n != 0 {
		t.Errorf("old window still counted: %d", n)
	}
	if n, err := db.DeleteExpiredCounters(c, at(3*w), 10); err != nil || n != 1 {
		t.Errorf("DeleteExpiredCounters = %d, %v; want 1", n, err)
	}
}

func testAudit(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	r := &audit.Recorder{Store: db, Now: func() time.Time { return at(0) }}
	acc := newID()
	for _, action := range []string{audit.AccountCreated, audit.LoginSucceeded, audit.LoginFailed} {
		if err := r.Record(c, audit.Event{AccountID: acc, Action: action, Actor: "self", IP: "192.0.2.7",
			Details: map[string]string{"method": "pwd"}}); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := db.AccountEvents(c, acc, 10)
	if err != nil || len(evs) != 3 || evs[0].Action != audit.LoginFailed || evs[0].IP != "192.0.2.7" {
		t.Fatalf("AccountEvents = %+v, %v", evs, err)
	}
	chain := []*audit.Event{evs[2], evs[1], evs[0]}
	if err := audit.Verify(chain); err != nil {
		t.Errorf("Verify: %v", err)
	}
	chain[1].Details["method"] = "otp"
	if err := audit.Verify(chain); err == nil {
		t.Errorf("Verify accepted an altered event")
	}
}

// testAuditConcurrent appends to one chain from several goroutines: no event is lost and
// the chain stays whole.
func testAuditConcurrent(t *testing.T, db *sqlstore.DB) {
	r := &audit.Recorder{Store: db, Now: time.Now}
	acc := newID()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Go(func() {
			if err := r.Record(ctx(t), audit.Event{AccountID: acc, Action: audit.LoginSucceeded, Actor: "self"}); err != nil {
				t.Errorf("Record: %v", err)
			}
		})
	}
	wg.Wait()
	evs, err := db.AccountEvents(ctx(t), acc, 100)
	if err != nil || len(evs) != 20 {
		t.Fatalf("AccountEvents = %d events, %v; want 20", len(evs), err)
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	if err := audit.Verify(evs); err != nil {
		t.Errorf("Verify after concurrent appends: %v", err)
	}
}

// testAuditBatched records concurrently through the group-commit batcher: every event is
// committed when Record returns, and the chain stays whole.
func testAuditBatched(t *testing.T, db *sqlstore.DB) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := &audit.Batcher{Store: db, MaxSize: 8}
	b.Start(ctx)
	r := &audit.Recorder{Store: db, Now: time.Now, Batch: b}
	acc := newID()
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Go(func() {
			if err := r.Record(ctx, audit.Event{AccountID: acc, Action: "data.released", Actor: "client:x"}); err != nil {
				t.Errorf("Record: %v", err)
			}
		})
	}
	wg.Wait()
	evs, err := db.AccountEvents(ctx, acc, 100)
	if err != nil || len(evs) != 50 {
		t.Fatalf("AccountEvents = %d, %v; want 50", len(evs), err)
	}
	slices.Reverse(evs)
	if err := audit.Verify(evs); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

// testAuditHeadMoved appends batches of two accounts outside any transaction (on PostgreSQL
// the node then writes the next one in one statement against the heads it remembers) while
// transactions move one account's head behind its back, one of them rolled back: every
// committed event is in its chain once, in order, with its details and sealed address, and
// nothing of the rolled-back one; the other account's chain, still remembered right, stays
// whole.
func testAuditHeadMoved(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	acc, other := newID(), newID()
	batch := func(action string) []*audit.Event {
		return []*audit.Event{
			{ID: newID(), AccountID: acc, Action: action, Actor: "client:a", IP: "203.0.113.7",
				Details: map[string]string{"claims": "name"}, CreatedAt: at(0)},
			{ID: newID(), AccountID: other, Action: action, Actor: "client:a", CreatedAt: at(0)},
			{ID: newID(), AccountID: acc, Action: action, Actor: "client:b", CreatedAt: at(time.Second)},
		}
	}
	inTx := func(action string, fail bool) {
		err := db.InTx(c, func(ctx context.Context) error {
			if err := db.AppendEvent(ctx, &audit.Event{ID: newID(), AccountID: acc, Action: action, Actor: "self", CreatedAt: at(0)}); err != nil {
				return err
			}
			if fail {
				return errRolledBack
			}
			return nil
		})
		if (err != nil) != fail {
			t.Fatalf("InTx(%s) = %v", action, err)
		}
	}
	steps := []func(){
		func() { mustAppend(t, db, batch("first")) },
		func() { mustAppend(t, db, batch("remembered")) },
		func() { inTx("moved", false) },
		func() { mustAppend(t, db, batch("after.move")) },
		func() { inTx("rolled.back", true) },
		func() { mustAppend(t, db, batch("after.rollback")) },
		func() { mustAppend(t, db, batch("last")) },
	}
	for _, step := range steps {
		step()
	}
	evs, err := db.AccountEvents(c, acc, 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(evs)
	var got []string
	for _, e := range evs {
		got = append(got, e.Action)
	}
	want := []string{"first", "first", "remembered", "remembered", "moved", "after.move", "after.move",
		"after.rollback", "after.rollback", "last", "last"}
	if !slices.Equal(got, want) {
		t.Fatalf("chain = %v; want %v", got, want)
	}
	if err := audit.Verify(evs); err != nil {
		t.Errorf("Verify: %v", err)
	}
	for i, e := range evs {
		if e.Seq != int64(i+1) {
			t.Errorf("event %d has seq %d", i, e.Seq)
		}
	}
	if last := evs[len(evs)-2]; last.IP != "203.0.113.7" || last.Details["claims"] != "name" {
		t.Errorf("last batch's first event = IP %q, details %v; want them as written", last.IP, last.Details)
	}
	others, err := db.AccountEvents(c, other, 100)
	if err != nil || len(others) != 5 {
		t.Fatalf("the other account's chain = %d events, %v; want one per batch, 5", len(others), err)
	}
	slices.Reverse(others)
	if err := audit.Verify(others); err != nil {
		t.Errorf("Verify the other account: %v", err)
	}
}

var errRolledBack = errors.New("rolled back on purpose")

func mustAppend(t *testing.T, db *sqlstore.DB, events []*audit.Event) {
	t.Helper()
	if err := db.AppendEvents(ctx(t), events); err != nil {
		t.Fatalf("AppendEvents: %v", err)
	}
}

func testDevOutbox(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	m1 := notify.Message{ID: newID(), Channel: notify.SMS, To: "+79161234567", Body: "one", CreatedAt: at(0)}
	m2 := notify.Message{ID: newID(), Channel: notify.Email, To: "a@example.ru", Subject: "s", Body: "two", CreatedAt: at(time.Second)}
	for _, m := range []notify.Message{m1, m2, m1} {
		if err := db.SaveDevMessage(c, m); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := db.DevMessages(c, "", 10)
	if len(all) != 2 || all[0].ID != m2.ID {
		t.Errorf("DevMessages = %+v; want two, newest first (a re-sent message is kept once)", all)
	}
	only, _ := db.DevMessages(c, "+79161234567", 10)
	if len(only) != 1 || only[0].Body != "one" {
		t.Errorf("DevMessages(to) = %+v", only)
	}
}

func testReady(t *testing.T, db *sqlstore.DB) {
	if err := db.Ready(ctx(t)); err != nil {
		t.Errorf("Ready on a migrated database: %v", err)
	}
}
