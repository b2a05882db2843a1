package registry

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/civis-id/civis/internal/ident"
)

// sampleData is the data file of made-up persons used when no file is
// configured; docs/registries.md lists them.
//
//go:embed sample/persons.json
var sampleData []byte

// Passport statuses in a data file.
const (
	statusValid   = "valid"
	statusInvalid = "invalid" // lost, expired or replaced
)

// fileRecord is one person as a JSON data file writes it.
type fileRecord struct {
	LastName        string        `json:"last_name"`
	FirstName       string        `json:"first_name"`
	MiddleName      string        `json:"middle_name"`
	BirthDate       string        `json:"birth_date"`
	Gender          string        `json:"gender"`
	SNILS           string        `json:"snils"`
	Passport        *filePassport `json:"passport"`
	ForeignPassport *fileForeign  `json:"foreign_passport"`
	INN             string        `json:"inn"`
}

// filePassport is an RF passport in a data file.
type filePassport struct {
	Series       string `json:"series"`
	Number       string `json:"number"`
	IssueDate    string `json:"issue_date"`
	DivisionCode string `json:"division_code"`
	Status       string `json:"status"`
}

// fileForeign is a foreign citizen's passport in a data file.
type fileForeign struct {
	Country string `json:"country"`
	Series  string `json:"series"`
	Number  string `json:"number"`
	Status  string `json:"status"`
}

// record is one person the simulated registries know, normalized.
type record struct {
	Person
	snils, inn string
	documents  []knownDocument
}

// knownDocument is an identity document the simulated interior ministry
// knows, with whether it is still valid.
type knownDocument struct {
	Document
	valid bool
}

// loadFile reads the data file at path ("" = the embedded sample): JSON when
// the name ends in .json, CSV when it ends in .csv, otherwise JSON when the
// content starts with "[".
func loadFile(path string) (*index, error) {
	if path == "" {
		return parseData(sampleData, "json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("registry data file: %w", err)
	}
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if format != "json" && format != "csv" {
		format = "csv"
		if bytes.HasPrefix(bytes.TrimSpace(trimBOM(data)), []byte("[")) {
			format = "json"
		}
	}
	idx, err := parseData(data, format)
	if err != nil {
		return nil, fmt.Errorf("registry data file %s: %w", filepath.Base(path), err)
	}
	return idx, nil
}

// parseData reads a data file's content in format "json" or "csv" and
// indexes its persons.
func parseData(data []byte, format string) (*index, error) {
	var recs []fileRecord
	var where func(i int) string
	var err error
	switch format {
	case "json":
		recs, err = decodeJSON(trimBOM(data))
		where = func(i int) string { return fmt.Sprintf("person %d", i+1) }
	case "csv":
		var lines []int
		recs, lines, err = decodeCSV(trimBOM(data))
		where = func(i int) string { return fmt.Sprintf("line %d", lines[i]) }
	default:
		err = fmt.Errorf("unknown data file format %q", format)
	}
	if err != nil {
		return nil, err
	}
	idx := newIndex()
	for i, fr := range recs {
		r, err := fr.parse()
		if err == nil {
			err = idx.add(r)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where(i), err)
		}
	}
	return idx, nil
}

// decodeJSON reads a JSON array of records, refusing unknown fields.
func decodeJSON(data []byte) ([]fileRecord, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var recs []fileRecord
	if err := dec.Decode(&recs); err != nil {
		return nil, fmt.Errorf("decode json: %w", err)
	}
	if recs == nil {
		return nil, errors.New("decode json: want an array of persons")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode json: data after the array")
	}
	return recs, nil
}

// trimBOM drops a UTF-8 byte order mark, which spreadsheet exports add.
func trimBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, []byte("\ufeff"))
}

// parse validates a record and normalizes its values. Errors name the field
// and a code, never the value.
func (fr fileRecord) parse() (record, error) {
	r := record{Person: Person{
		LastName: strings.TrimSpace(fr.LastName), FirstName: strings.TrimSpace(fr.FirstName),
		MiddleName: strings.TrimSpace(fr.MiddleName), Gender: strings.ToUpper(strings.TrimSpace(fr.Gender)),
	}}
	bd, err := parseDate(strings.TrimSpace(fr.BirthDate))
	if err != nil {
		return record{}, errors.New("birth_date is not YYYY-MM-DD")
	}
	r.BirthDate = bd
	if err := checkPerson(r.Person); err != nil {
		return record{}, err
	}
	if r.snils, err = optional(fr.SNILS, ident.NormalizeSNILS); err != nil {
		return record{}, fmt.Errorf("snils: %w", err)
	}
	if r.inn, err = normalizePersonINN(fr.INN); err != nil {
		return record{}, fmt.Errorf("inn: %w", err)
	}
	if err := r.addDocuments(fr); err != nil {
		return record{}, err
	}
	return r, nil
}

// optional normalizes s with fn unless it is blank.
func optional(s string, fn func(string) (string, error)) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return fn(s)
}

// addDocuments parses the record's passports.
func (r *record) addDocuments(fr fileRecord) error {
	if p := fr.Passport; p != nil {
		issued, err := parseDate(strings.TrimSpace(p.IssueDate))
		if err != nil {
			return errors.New("passport issue_date is not YYYY-MM-DD")
		}
		d := Document{Type: TypeRFPassport, Series: p.Series, Number: p.Number, IssueDate: issued, DivisionCode: p.DivisionCode}
		if err := r.addDocument(d, p.Status); err != nil {
			return fmt.Errorf("passport: %w", err)
		}
	}
	if f := fr.ForeignPassport; f != nil {
		d := Document{Type: TypeForeignPassport, Series: f.Series, Number: f.Number, Country: f.Country}
		if err := r.addDocument(d, f.Status); err != nil {
			return fmt.Errorf("foreign_passport: %w", err)
		}
	}
	return nil
}

// addDocument validates d and its status ("" means valid).
func (r *record) addDocument(d Document, status string) error {
	d, err := ParseDocument(d)
	if err != nil {
		return err
	}
	switch status = strings.ToLower(strings.TrimSpace(status)); status {
	case "", statusValid, statusInvalid:
	default:
		return errors.New("status must be valid or invalid")
	}
	r.documents = append(r.documents, knownDocument{Document: d, valid: status != statusInvalid})
	return nil
}
