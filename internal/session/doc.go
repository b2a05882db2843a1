// Package session holds sign-in sessions: random opaque tokens given to browsers (as cookies)
// and native apps (as bearer tokens), stored only as hashes, with an absolute lifetime and an
// idle timeout. The Service issues, authenticates and revokes them over a Store, and ends
// expired ones for the server's cleanup.
package session
