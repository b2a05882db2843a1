// Package adminapi is the platform administrator's JSON API under /api/v1/admin/: the
// registry of relying parties (create, list, show, delete, rotate a secret). It is mounted only
// when the server has an admin token, and every call must present that token as a bearer
// token. The CLI's `civis clients` commands share its JSON shapes.
package adminapi
