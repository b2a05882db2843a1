package operator_test

import (
	"fmt"
	"testing"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/staff"
)

// BenchmarkRegister measures an operator registering distinct citizens on SQLite with a
// temporary password: one argon2id hash (outside the transaction), then the account, contacts,
// profile, submission with its check jobs, confirmation, audit, SMS and the ledger row in one
// transaction. Compare with BenchmarkArgon2idDefault in internal/credential.
func BenchmarkRegister(b *testing.B) {
	env := apptest.New(b)
	op := newOperatorB(b, env)
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		req, _, err := env.App.Operator.Register(ctx, op, fmt.Sprintf("bench-%d", i), citizen(1000+i, operator.ActivationPassword))
		if err != nil || req.State != ledger.Done {
			b.Fatalf("Register = %+v, %v", req, err)
		}
	}
}

// BenchmarkHash is the raw cost inside BenchmarkRegister: one hash with the node's argon2id
// parameters (the test node's, which are cheaper than the production defaults).
func BenchmarkHash(b *testing.B) {
	env := apptest.New(b)
	for b.Loop() {
		if _, err := env.App.Hasher.Hash(ctx, "Temporary-Pass-1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplay measures resending an answered request: one ledger read.
func BenchmarkReplay(b *testing.B) {
	env := apptest.New(b)
	op := newOperatorB(b, env)
	in := citizen(1, operator.ActivationLink)
	if _, _, err := env.App.Operator.Register(ctx, op, "once", in); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, replayed, err := env.App.Operator.Register(ctx, op, "once", in); err != nil || !replayed {
			b.Fatalf("resend: replayed %v, %v", replayed, err)
		}
	}
}

func newOperatorB(b *testing.B, env *apptest.Env) operator.Actor {
	acc := newAccount(b, env, "")
	if _, err := env.App.Staff.Assign(ctx, nil, acc.ID, centerA, staff.Operator); err != nil {
		b.Fatal(err)
	}
	return operator.Actor{OperatorID: acc.ID, CenterID: centerA, ClientID: "workstation", Reason: "bench"}
}
