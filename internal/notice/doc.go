// Package notice tells citizens about events on their account through the channels they
// chose: per kind of event (sign-in, password change, contact change, second-factor change,
// data released to a site) and per channel (SMS to the confirmed phone, email to the
// confirmed email). Features call Notifier.Tell for notices the citizen may turn off and
// Notifier.TellAll for the few that must always reach every contact (access recovered, a
// contact replaced, the account deleted).
//
// It imports account, messages and notify.
package notice
