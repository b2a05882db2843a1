// Package center holds the directory of service centers: where a citizen can register,
// confirm their identity, restore access or delete an account in person. A Center has an
// address and coordinates, weekly opening hours in a time zone (so that a page can say
// whether it is open now), a phone and the services it offers.
//
// The Service validates centers with field-level errors, imports a whole directory from CSV
// in one transaction, and answers searches by text, service and distance. Centers are read
// far more than written, and a country has thousands of them, not millions: the Service keeps
// the whole directory in a short-lived per-node cache and searches it in memory, so a search
// costs no query. A change made on this node is seen at once; other nodes see it when their
// cache expires.
//
// It imports only the standard library, uuid and store; nothing here speaks HTTP.
package center
