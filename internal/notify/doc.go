// Package notify defines outgoing messages (SMS, email) and the Senders that
// deliver them: SMTP, an HTTP SMS gateway, and (elsewhere) the dev outbox.
// Queueing and retries are done by the jobs package; a Sender only delivers
// one message.
//
// A Sender reports failures that a retry cannot fix (a rejected recipient, a
// malformed message, a refused credential) by wrapping them with [Permanent];
// every other error is retryable. Error texts never contain the recipient or
// the message text, so they can be logged and stored with the job.
//
// The package imports only the standard library and the go-mail SMTP client.
package notify
