// Package devoutbox is the message Sender of development mode: instead of delivering, it keeps
// each message in the database, where GET /dev/outbox (JSON) and the /dev/outbox page show it.
package devoutbox
