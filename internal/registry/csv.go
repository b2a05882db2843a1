package registry

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvColumns maps each CSV column name to the record field it fills. A CSV
// data file has a header row naming some of these columns, in any order;
// last_name, first_name and birth_date are required.
var csvColumns = map[string]func(r *fileRecord, v string){
	"last_name":                func(r *fileRecord, v string) { r.LastName = v },
	"first_name":               func(r *fileRecord, v string) { r.FirstName = v },
	"middle_name":              func(r *fileRecord, v string) { r.MiddleName = v },
	"birth_date":               func(r *fileRecord, v string) { r.BirthDate = v },
	"gender":                   func(r *fileRecord, v string) { r.Gender = v },
	"snils":                    func(r *fileRecord, v string) { r.SNILS = v },
	"inn":                      func(r *fileRecord, v string) { r.INN = v },
	"passport_series":          func(r *fileRecord, v string) { passport(r).Series = v },
	"passport_number":          func(r *fileRecord, v string) { passport(r).Number = v },
	"passport_issue_date":      func(r *fileRecord, v string) { passport(r).IssueDate = v },
	"passport_division_code":   func(r *fileRecord, v string) { passport(r).DivisionCode = v },
	"passport_status":          func(r *fileRecord, v string) { passport(r).Status = v },
	"foreign_passport_country": func(r *fileRecord, v string) { foreign(r).Country = v },
	"foreign_passport_series":  func(r *fileRecord, v string) { foreign(r).Series = v },
	"foreign_passport_number":  func(r *fileRecord, v string) { foreign(r).Number = v },
	"foreign_passport_status":  func(r *fileRecord, v string) { foreign(r).Status = v },
}

// requiredColumns must appear in a CSV header.
var requiredColumns = []string{"last_name", "first_name", "birth_date"}

// passport returns r's passport, creating it.
func passport(r *fileRecord) *filePassport {
	if r.Passport == nil {
		r.Passport = &filePassport{}
	}
	return r.Passport
}

// foreign returns r's foreign passport, creating it.
func foreign(r *fileRecord) *fileForeign {
	if r.ForeignPassport == nil {
		r.ForeignPassport = &fileForeign{}
	}
	return r.ForeignPassport
}

// decodeCSV reads a CSV data file: a header row, then one person a row.
// Empty cells leave a field unset, so a row with no passport cell has no
// passport. It returns the records and the line each starts on.
func decodeCSV(data []byte) ([]fileRecord, []int, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("decode csv header: %w", err)
	}
	setters, err := csvSetters(header)
	if err != nil {
		return nil, nil, err
	}
	var recs []fileRecord
	var lines []int
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return recs, lines, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("decode csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		recs, lines = append(recs, csvRecord(setters, row)), append(lines, line)
	}
}

// csvSetters maps header positions to setters, refusing unknown, repeated
// and missing required columns.
func csvSetters(header []string) ([]func(*fileRecord, string), error) {
	setters := make([]func(*fileRecord, string), len(header))
	seen := map[string]bool{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		set, ok := csvColumns[name]
		if !ok || seen[name] {
			return nil, fmt.Errorf("csv header: unknown or repeated column %q", name)
		}
		seen[name], setters[i] = true, set
	}
	for _, name := range requiredColumns {
		if !seen[name] {
			return nil, fmt.Errorf("csv header: column %q is missing", name)
		}
	}
	return setters, nil
}

// csvRecord fills a record from the non-empty cells of a row.
func csvRecord(setters []func(*fileRecord, string), row []string) fileRecord {
	var r fileRecord
	for i, v := range row {
		if v = strings.TrimSpace(v); v != "" {
			setters[i](&r, v)
		}
	}
	return r
}
