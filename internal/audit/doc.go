// Package audit records security-relevant actions and every release of personal data in an
// append-only log. Events of one account form a hash chain (each event's hash covers the
// previous one), so that a removed or altered event is detectable; the citizen reads the part
// about them. Events carry names of data, never the data itself.
package audit
