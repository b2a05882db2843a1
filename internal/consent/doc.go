// Package consent records which personal data (by scope) each relying party may receive from
// a citizen, when it was granted and last used; the citizen lists and revokes them.
package consent
