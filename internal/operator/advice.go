package operator

import (
	"fmt"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/proofing"
)

// state is what the escalation path looks at: the account, its profile and last submission.
type state struct {
	acc     *account.Account
	deleted bool
	prof    *proofing.Profile
	sub     *proofing.Submission
}

// standard reports whether the account holds a verified SNILS and passport.
func (st *state) standard() bool {
	p := st.prof
	return st.acc.Level.AtLeast(account.Standard) && p != nil && p.SNILS.Verified != nil &&
		p.IDDoc.Verified != nil && p.IDDoc.Verified.Type == proofing.RFPassport
}

func (st *state) checking() bool {
	return st.sub != nil && st.sub.State == proofing.SubmissionChecking
}

// failedCheck returns the failed check of the last submission, if it failed.
func (st *state) failedCheck() (registry, reason string, ok bool) {
	if st.sub == nil || st.sub.State != proofing.SubmissionFailed {
		return "", "", false
	}
	for _, c := range st.sub.Checks {
		if c.State == proofing.CheckFailed {
			return c.Registry, c.Reason, true
		}
	}
	return "", st.sub.Reason, true
}

// advise is the next step of the escalation path for the account, with its explanation.
func (st *state) advise() (Advice, string) {
	switch {
	case st.acc == nil:
		return AdviseRegister, "No account: register the citizen."
	case st.deleted:
		return AdviseRestoreDeleted, "The account was deleted and can be restored until its data are erased."
	case st.acc.Level == account.Confirmed:
		return AdviseRestore, "The account is already confirmed: restore access if the citizen lost it."
	case st.checking():
		return AdviseWaitChecks, "Registry checks are still running: ask the citizen to wait for the result."
	}
	if reg, reason, ok := st.failedCheck(); ok && !st.standard() {
		return AdviseCheckFailed, failedMessage(reg, reason)
	}
	if st.standard() {
		return AdviseConfirm, "A standard account: compare the passport with the data and confirm the identity."
	}
	return AdviseFillProfile, "A simplified account: the citizen must add personal data, SNILS and passport " +
		"in the profile and wait for the registry checks before the identity can be confirmed."
}

func failedMessage(registry, reason string) string {
	if registry == "" {
		registry = "registry"
	}
	return fmt.Sprintf("The %s check failed: %s. The citizen must correct the data in the profile and submit them again.",
		registry, proofing.ReasonMessage(reason))
}

// refusal turns the advice about an existing account into the refusal of a registration.
func (st *state) refusal(kind string) error {
	adv, msg := st.advise()
	prefix := "An account with this " + kind + " exists. "
	switch adv {
	case AdviseRestore:
		return reject(CodeAccountConfirmed, statusConflict, prefix+"It is already confirmed: restore access instead.")
	case AdviseWaitChecks:
		return reject(CodeChecksRunning, statusConflict, prefix+msg)
	case AdviseCheckFailed:
		return reject(CodeCheckFailed, statusConflict, prefix+msg)
	case AdviseConfirm:
		return reject(CodeAccountExists, statusConflict, prefix+"Confirm its identity instead of registering.")
	}
	return reject(CodeAccountExists, statusConflict, prefix+msg)
}
