// Package deletion deletes a citizen's account at their request, restores it at a service
// center during the retention period, and erases its personal data when the period ends.
//
// Deleting takes the password again and then, in one transaction: marks the account deleted
// (sign-in stops at once: lookups find active accounts only), ends every session through
// session.Service.Revoke (each site signed in from one gets a back-channel logout), revokes
// every token and consent, audits it, tells the contacts, and schedules the erasure job at the
// end of the retention period. The job erases names, contacts, password, profile and
// documents, second factors and settings, unless the account was restored; the account's row
// and its audit chain stay under the account's random id, a pseudonymous record.
//
// It imports the domain packages (account, audit, flow, jobs, messages, notice, pow, session,
// store); nothing here speaks HTTP.
package deletion
