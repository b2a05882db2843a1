package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

func insertJob(t *testing.T, db *sqlstore.DB, kind string, runAt time.Time) *jobs.Job {
	t.Helper()
	j := &jobs.Job{ID: newID(), Kind: kind, Payload: []byte(`{"n":1}`), MaxAttempts: 3, RunAt: runAt, CreatedAt: at(0)}
	if err := db.InsertJob(ctx(t), j); err != nil {
		t.Fatal(err)
	}
	return j
}

func testJobs(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	j := insertJob(t, db, "k", at(0))
	insertJob(t, db, "later", at(time.Hour))
	got, err := db.ClaimJobs(c, at(time.Second), time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].ID != j.ID || string(got[0].Payload) != `{"n":1}` || got[0].Attempts != 1 {
		t.Fatalf("ClaimJobs = %+v, %v; want the one due job with its payload, attempt 1", got, err)
	}
	if again, _ := db.ClaimJobs(c, at(30*time.Second), time.Minute, 10); len(again) != 0 {
		t.Errorf("a leased job was claimed again before its lease ended")
	}
	// The worker died: after the lease the job is due again.
	again, _ := db.ClaimJobs(c, at(2*time.Minute), time.Minute, 10)
	if len(again) != 1 || again[0].Attempts != 2 {
		t.Fatalf("after lease expiry ClaimJobs = %+v; want the job at attempt 2", again)
	}
	if err := db.RetryJob(c, j.ID, at(10*time.Minute), "gateway down"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.ClaimJobs(c, at(9*time.Minute), time.Minute, 10); len(got) != 0 {
		t.Errorf("retried job claimed before its run time")
	}
	if err := db.FailJob(c, j.ID, "gave up"); err != nil {
		t.Fatal(err)
	}
	failed, err := db.ListJobs(c, jobs.Failed, 10)
	if err != nil || len(failed) != 1 || failed[0].LastError != "gave up" {
		t.Errorf("ListJobs(failed) = %+v, %v", failed, err)
	}
	stats, _ := db.JobStats(c)
	if fmt.Sprint(stats) != "[{k failed 1} {later pending 1}]" {
		t.Errorf("JobStats = %v", stats)
	}
	if err := db.CompleteJob(c, j.ID); err != nil {
		t.Fatal(err)
	}
	if failed, _ := db.ListJobs(c, jobs.Failed, 10); len(failed) != 0 {
		t.Errorf("completed job still listed")
	}
}

// testJobsConcurrent claims from several goroutines at once: every job is handed out once.
func testJobsConcurrent(t *testing.T, db *sqlstore.DB) {
	const n = 200
	for i := 0; i < n; i++ {
		insertJob(t, db, "k", at(0))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for {
				got, err := db.ClaimJobs(ctx(t), at(time.Second), time.Hour, 7)
				if err != nil {
					t.Errorf("ClaimJobs: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, j := range got {
					seen[j.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("claimed %d distinct jobs, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("job %s claimed %d times", id, k)
		}
	}
}
