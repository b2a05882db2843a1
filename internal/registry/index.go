package registry

import (
	"errors"
	"strings"
)

// index finds the records of a data file by SNILS, INN, document and
// identity (names and birth date).
type index struct {
	bySNILS    map[string]*record
	byINN      map[string]*record
	byDocument map[string]*record
	byIdentity map[string][]*record
}

func newIndex() *index {
	return &index{
		bySNILS: map[string]*record{}, byINN: map[string]*record{},
		byDocument: map[string]*record{}, byIdentity: map[string][]*record{},
	}
}

// add indexes r, refusing an identifier that another record already has.
func (x *index) add(r record) error {
	p := &r
	if err := put(x.bySNILS, r.snils, p, "snils"); err != nil {
		return err
	}
	if err := put(x.byINN, r.inn, p, "inn"); err != nil {
		return err
	}
	for _, d := range r.documents {
		if err := put(x.byDocument, documentKey(d.Document), p, "document"); err != nil {
			return err
		}
	}
	k := identityKey(r.Person)
	x.byIdentity[k] = append(x.byIdentity[k], p)
	return nil
}

// put stores r under a non-empty key.
func put(m map[string]*record, key string, r *record, what string) error {
	if key == "" {
		return nil
	}
	if _, dup := m[key]; dup {
		return errors.New("duplicate " + what)
	}
	m[key] = r
	return nil
}

// documentKey identifies a normalized document: type, country, series and
// number.
func documentKey(d Document) string {
	return strings.Join([]string{d.Type, d.Country, d.Series, d.Number}, "/")
}

// identityKey identifies a person by folded names and birth date.
func identityKey(p Person) string {
	return strings.Join([]string{foldName(p.LastName), foldName(p.FirstName), foldName(p.MiddleName), formatDate(p.BirthDate)}, "/")
}

// document returns the record holding d and the known document.
func (x *index) document(d Document) (*record, knownDocument, bool) {
	r, ok := x.byDocument[documentKey(d)]
	if !ok {
		return nil, knownDocument{}, false
	}
	for _, k := range r.documents {
		if documentKey(k.Document) == documentKey(d) {
			return r, k, true
		}
	}
	return nil, knownDocument{}, false
}

// person returns the only record with p's names and birth date.
func (x *index) person(p Person) (*record, bool) {
	rs := x.byIdentity[identityKey(p)]
	if len(rs) != 1 {
		return nil, false
	}
	return rs[0], true
}
