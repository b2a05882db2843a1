package app_test

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/civis-id/civis/internal/app/apptest"
)

// TestSQLiteWriterMetrics: /metrics shows the SQLite writer's group commits, the
// transactions they carried and the ones waiting, so operators can see it saturate.
func TestSQLiteWriterMetrics(t *testing.T) {
	env := apptest.New(t) // --dev seeds the demo client, centers and operator: writes
	resp, err := http.Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	value := func(name string) float64 {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics has no %s", name)
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	commits, carried := value("civis_sqlite_commits_total"), value("civis_sqlite_transactions_total")
	if commits < 1 || carried < commits || value("civis_sqlite_writer_waiting") != 0 {
		t.Errorf("commits %v, transactions %v: want at least one commit carrying at least as many transactions", commits, carried)
	}
}
