package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/store/sqlstore"
)

// Opener returns a fresh, migrated, empty database for one subtest.
type Opener func(t *testing.T) *sqlstore.DB

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := map[string]func(t *testing.T, db *sqlstore.DB){
		"Accounts":          testAccounts,
		"ContactUniqueness": testContactUniqueness,
		"Passwords":         testPasswords,
		"Transactions":      testTransactions,
		"Flows":             testFlows,
		"Sessions":          testSessions,
		"SessionsExpired":   testExpiredSessions,
		"Jobs":              testJobs,
		"JobsConcurrent":    testJobsConcurrent,
		"RateCounters":      testRateCounters,
		"Audit":             testAudit,
		"AuditConcurrent":   testAuditConcurrent,
		"AuditBatched":      testAuditBatched,
		"AuditHeadMoved":    testAuditHeadMoved,
		"DevOutbox":         testDevOutbox,
		"Ready":             testReady,
		"Profiles":          testProfiles,
		"ProfileConcurrent": testProfileConcurrent,
		"VerifiedSNILS":     testVerifiedSNILS,
		"LevelAndNames":     testAccountLevelAndNames,
		"RaiseLevel":        testRaiseLevel,
		"Submissions":       testSubmissions,
		"CheckWrites":       testCheckWrites,
		"CheckDoneConc":     testCheckDoneConcurrent,
		"SecondFactors":     testSecondFactors,
		"SignInFlows":       testSignInFlows,
		"Centers":           testCenters,
		"CenterImport":      testCenterImport,
		"Letters":           testLetters,
		"LettersConcurrent": testLettersConcurrent,
		"AccountStandings":  testAccountStandings,
		"Staff":             testStaff,
		"Ledger":            testLedger,
		"LedgerConcurrent":  testLedgerConcurrent,
		"Assertions":        testAssertions,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) { fn(t, open(t)) })
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// at returns a fixed UTC instant with microsecond precision, the store's resolution.
func at(offset time.Duration) time.Time {
	return time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC).Add(offset)
}
