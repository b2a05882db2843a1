package account

// Requirement is one thing an account lacks to reach the next level, as a stable code that
// pages and APIs translate (e.g. "personal_data", "snils", "id_document").
type Requirement string

// Requirements for the next level.
const (
	NeedPersonalData  Requirement = "personal_data"
	NeedSNILS         Requirement = "snils"
	NeedIDDocument    Requirement = "id_document"
	NeedRegistryCheck Requirement = "registry_check"
	NeedConfirmation  Requirement = "identity_confirmation"
)

// NextLevel returns the level above the account's and what it needs to get there; ok is false
// for a confirmed account.
func (a *Account) NextLevel() (next Level, needs []Requirement, ok bool) {
	return a.NextLevelWith(nil)
}

// NextLevelWith is NextLevel leaving out the requirements met reports as met (the proofing
// package knows which data the citizen has entered). A nil met leaves out nothing.
func (a *Account) NextLevelWith(met func(Requirement) bool) (next Level, needs []Requirement, ok bool) {
	var all []Requirement
	switch a.Level {
	case Simplified:
		next, all = Standard, []Requirement{NeedPersonalData, NeedSNILS, NeedIDDocument, NeedRegistryCheck}
	case Standard:
		next, all = Confirmed, []Requirement{NeedConfirmation}
	default:
		return "", nil, false
	}
	needs = []Requirement{}
	for _, r := range all {
		if met == nil || !met(r) {
			needs = append(needs, r)
		}
	}
	return next, needs, true
}
