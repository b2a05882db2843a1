package operator

import (
	"context"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/proofing"
)

// RemoveDuplicate deletes a duplicate account of the same person: the one that is not
// confirmed. The operator checked both; the service also requires that they be provably the
// same person (the same verified SNILS, or the same verified names and birth date). The
// deletion follows the retention rules (restorable until erased).
func (s *Service) RemoveDuplicate(ctx context.Context, a Actor, requestID, keepID, removeID string) (*ledger.Request, bool, error) {
	input := map[string]string{"keep_account_id": keepID, "remove_account_id": removeID}
	return s.do(ctx, a, requestID, TypeRemoveDuplicate, input, nil, func(ctx context.Context) (ledger.Outcome, error) {
		if keepID == removeID {
			var f fields
			f.add("remove_account_id", "same_account", "the two accounts must differ")
			return ledger.Outcome{}, f.err()
		}
		keep, err := s.loadActive(ctx, keepID)
		if err != nil {
			return ledger.Outcome{}, err
		}
		dup, err := s.loadActive(ctx, removeID)
		if err != nil {
			return ledger.Outcome{}, err
		}
		if dup.acc.Level == account.Confirmed {
			return ledger.Outcome{}, reject(CodeDuplicateConfirmed, statusConflict,
				"The account to remove is confirmed: keep that one and remove the other.")
		}
		if !samePerson(keep.prof, dup.prof) {
			return ledger.Outcome{}, reject(CodeNotSamePerson, statusConflict, "The kept account's verified names and "+
				"birth date (or SNILS) differ from the other account's: they are not provably the same person.")
		}
		d := s.details(ctx, a, requestID)
		d["kept_account_id"], d["removed_account_id"] = keepID, removeID
		if _, err := s.Deletion.DeleteFor(ctx, removeID, "operator:"+a.OperatorID, s.details(ctx, a, requestID)); err != nil {
			return ledger.Outcome{}, err
		}
		if err := s.record(ctx, a, ActionDuplicateRemoved, removeID, d); err != nil {
			return ledger.Outcome{}, err
		}
		if err := s.Audit.Record(ctx, audit.Event{AccountID: keepID, Action: ActionDuplicateRemoved,
			Actor: "operator:" + a.OperatorID, IP: a.IP, Details: d}); err != nil {
			return ledger.Outcome{}, err
		}
		dup.acc.State = account.Deleted
		return ledger.Outcome{Subject: removeID, Message: "duplicate account removed",
			Result: s.result(requestID, keep.acc, "The duplicate account was deleted; it can be restored until its data are erased.")}, nil
	})
}

// samePerson reports whether the account to keep and the duplicate provably belong to one
// person: the kept account's verified SNILS is the duplicate's (verified or typed), or its
// verified names and birth date are.
func samePerson(keep, dup *proofing.Profile) bool {
	if keep == nil || dup == nil {
		return false
	}
	if sn, d := keep.SNILS.Verified, preferVerified(&dup.SNILS); sn != nil && d != nil && *sn == *d {
		return true
	}
	pa, pb := keep.Personal.Verified, preferVerified(&dup.Personal)
	if pa == nil || pb == nil {
		return false
	}
	eq := func(x, y string) bool { return strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(y)) }
	return eq(pa.LastName, pb.LastName) && eq(pa.FirstName, pb.FirstName) && eq(pa.MiddleName, pb.MiddleName) &&
		pa.BirthDate == pb.BirthDate
}
