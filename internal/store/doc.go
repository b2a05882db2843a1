// Package store is the storage contract shared by every domain: the sentinel errors that
// storage implementations return and the transaction primitive that spans domains. It imports
// only the standard library; the implementation lives in store/sqlstore.
package store
