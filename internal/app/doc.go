// Package app is the composition root: it opens the store, builds every service from the
// configuration, mounts the HTTP handlers and runs the background workers. It is the only
// package (with storetest) that imports the storage implementation.
package app
