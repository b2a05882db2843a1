// Package messages composes the texts Civis sends to citizens (codes, warnings, notices) in
// their language and queues them as durable jobs in the caller's transaction; the job handler
// delivers each through a notify.Sender.
package messages
