// Package flow holds the citizen's self-service flows as persisted, expiring state machines
// (registration today; recovery and settings later) and sign-in: the password step (with a
// proof of work after repeated failures instead of a lock-out), the second-factor step of a
// pending sign-in (LoginFlow), passkey sign-in and re-authentication. Each step commits in one
// transaction together with the messages it causes. The same Service serves the HTML pages
// and the JSON API.
//
// Registration:
//
//	stateDiagram-v2
//	    [*] --> awaiting_codes: Start (codes sent)
//	    awaiting_codes --> awaiting_codes: Confirm one of several / Resend
//	    awaiting_codes --> awaiting_password: every contact confirmed
//	    awaiting_codes --> completed: SetPassword (at least one contact confirmed)
//	    awaiting_password --> completed: SetPassword
//	    completed --> [*]
package flow
