// Package operator holds what service-center staff do for citizens: find an account, register
// a citizen on the spot, confirm identity in person, restore access, remove a duplicate
// account. The workstation pages and the operator API both call it; every change runs through
// the request ledger, and every action is audited with the operator, the center, the request
// id and the reason.
package operator
