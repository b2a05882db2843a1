package letters_test

import (
	"context"
	"testing"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/letters"
)

// TestConfirmAfterAnotherWay: the citizen types the right code while a bank confirms the
// account, so that the letter step read it at standard. The citizen is told the account is
// already confirmed (not an internal error); the account keeps the bank's method; the letter
// stays unused; no notice and no audit event of a confirmation by letter are added.
func TestConfirmAfterAnotherWay(t *testing.T) {
	for _, engine := range engines() {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			a := e.standard()
			l := e.order(a)
			printed := e.batch(letters.BatchOptions{})[l.ID]
			ctx := context.Background()
			if err := e.db.RaiseLevel(ctx, a.ID, account.Standard, account.Confirmed, "bank", t0); err != nil {
				t.Fatalf("the bank's raise: %v", err)
			}
			e.svc.Accounts = staleAccounts{Store: e.db, id: a.ID}
			if err := e.confirm(a, printed); code(err) != "already_confirmed" {
				t.Errorf("Confirm after the bank: %v, want already_confirmed", err)
			}
			if acc := e.account(a.ID); acc.Level != account.Confirmed || acc.ConfirmationMethod != "bank" {
				t.Errorf("account: %s by %q, want confirmed by bank", acc.Level, acc.ConfirmationMethod)
			}
			if got := e.letter(l.ID); got.State == letters.Used {
				t.Errorf("letter is %s, want it unused", got.State)
			}
			e.deliver()
			if n := e.sent.count(a.Contacts[0].Value, "подтвержден"); n != 0 {
				t.Errorf("%d confirmation messages, want none", n)
			}
			evs, _ := e.db.AccountEvents(ctx, a.ID, 10)
			for _, ev := range evs {
				if ev.Action == letters.ActionLevelRaised {
					t.Errorf("audit event %s %v, want none", ev.Action, ev.Details)
				}
			}
		})
	}
}

// staleAccounts is the account store as the letter step saw it before another way confirmed
// the account id: that account reads as standard.
type staleAccounts struct {
	account.Store
	id string
}

func (s staleAccounts) GetAccount(ctx context.Context, id string) (*account.Account, error) {
	a, err := s.Store.GetAccount(ctx, id)
	if err != nil || id != s.id {
		return a, err
	}
	old := *a
	old.Level, old.ConfirmationMethod = account.Standard, ""
	return &old, nil
}
