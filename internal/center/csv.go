package center

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/civis-id/civis/internal/store"
)

// Columns are the columns of a CSV import, in this order, named by a header row:
//
//	id,name,address,lat,lon,hours,timezone,phone,services
//
// id is required (a re-import updates the center with that id); lat and lon are decimal
// degrees (a decimal comma is accepted); hours is the text form of Hours; timezone may be
// empty (DefaultTimeZone); phone may be empty; services are separated by "|", such as
// "register|confirm". The file is UTF-8 (a byte-order mark is ignored), separated by commas,
// or by semicolons when the header is. Fields holding the separator are quoted.
var Columns = []string{"id", "name", "address", "lat", "lon", "hours", "timezone", "phone", "services"}

// MaxImportRows bounds the rows of one import.
const MaxImportRows = 20000

// RowError is a problem with one field of one row of a CSV import. Row is the line of the
// file where the row starts: the header is row 1. Field is a column name, or "" for the row
// as a whole.
type RowError struct {
	Row int
	FieldError
}

// ImportError lists every problem of a CSV import; nothing was written.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	var b strings.Builder
	b.WriteString("import refused, nothing changed:")
	for _, r := range e.Rows {
		fmt.Fprintf(&b, "\n  row %d", r.Row)
		if r.Field != "" {
			b.WriteString(": " + r.Field)
		}
		b.WriteString(": " + r.Message)
	}
	return b.String()
}

// Path returns a row error's place as a JSON-style path: rows[<row>].<column>.
func (r RowError) Path() string {
	if r.Field == "" {
		return fmt.Sprintf("rows[%d]", r.Row)
	}
	return fmt.Sprintf("rows[%d].%s", r.Row, r.Field)
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created int
	Updated int
}

// maxImportErrors bounds the errors reported, so that a wrong file does not produce a
// thousand lines.
const maxImportErrors = 100

// ImportCSV reads a directory in the format of Columns and writes it in one transaction: every
// row or none. New ids are created, known ones replaced; centers not in the file are kept.
// Problems are an *ImportError with the row of each.
func (s *Service) ImportCSV(ctx context.Context, r io.Reader) (ImportResult, error) {
	centers, err := readCSV(r)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	write := func(ctx context.Context) (err error) {
		res, err = s.writeImport(ctx, centers)
		return err
	}
	if s.Tx != nil {
		err = s.Tx.InTx(ctx, write)
	} else {
		err = write(ctx)
	}
	s.Forget()
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// writeImport creates or replaces the centers, in the caller's transaction: an update that
// finds no row (store.ErrNotFound) creates the center instead. UpdateCenter leaves the
// stored created_at as it is.
func (s *Service) writeImport(ctx context.Context, centers []*Center) (ImportResult, error) {
	var res ImportResult
	now := s.now().UTC()
	for _, c := range centers {
		c.CreatedAt, c.UpdatedAt = now, now
		err := s.Store.UpdateCenter(ctx, c)
		if errors.Is(err, store.ErrNotFound) {
			err = s.Store.CreateCenter(ctx, c)
			res.Created++
		} else if err == nil {
			res.Updated++
		}
		if err != nil {
			return ImportResult{}, fmt.Errorf("import center %s: %w", c.ID, err)
		}
	}
	return res, nil
}

// readCSV parses and validates every row; it returns the centers, or an *ImportError.
func readCSV(r io.Reader) ([]*Center, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	first, _ := br.Peek(4096)
	line, _, _ := bytes.Cut(first, []byte("\n"))
	cr := csv.NewReader(br)
	if bytes.Contains(line, []byte(";")) && !bytes.Contains(line, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	ie := &ImportError{}
	header, err := cr.Read()
	var pe *csv.ParseError
	switch {
	case err == io.EOF || errors.As(err, &pe):
		ie.add(1, "", "format", "the file has no header row: %s", strings.Join(Columns, ","))
		return nil, ie
	case err != nil:
		return nil, fmt.Errorf("read the file: %w", err)
	}
	if !sameHeader(header) {
		ie.add(1, "", "header", "the header must be exactly %s", strings.Join(Columns, ","))
		return nil, ie
	}
	var out []*Center
	seen := map[string]int{}
	for len(ie.Rows) < maxImportErrors {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if errors.As(err, &pe) {
			ie.add(pe.StartLine, "", "format", "not valid CSV: %s", pe.Err)
			break // the reader cannot resynchronise after a broken quote
		}
		if err != nil {
			return nil, fmt.Errorf("read the file: %w", err) // the reader's, such as a body too large
		}
		row, _ := cr.FieldPos(0)
		if len(out) >= MaxImportRows {
			ie.add(row, "", "too_many", "at most %d rows per import", MaxImportRows)
			break
		}
		c := readRow(ie, row, rec)
		if c == nil {
			continue
		}
		if prev, dup := seen[c.ID]; dup {
			ie.add(row, "id", "repeated", "the id %q is also on row %d", c.ID, prev)
			continue
		}
		seen[c.ID] = row
		out = append(out, c)
	}
	if len(ie.Rows) > 0 {
		return nil, ie
	}
	if len(out) == 0 {
		ie.add(2, "", "empty", "the file has no centers after the header")
		return nil, ie
	}
	return out, nil
}

func (e *ImportError) add(row int, field, code, format string, a ...any) {
	e.Rows = append(e.Rows, RowError{Row: row, FieldError: FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, a...)}})
}

func sameHeader(h []string) bool {
	if len(h) != len(Columns) {
		return false
	}
	for i, name := range h {
		if !strings.EqualFold(strings.TrimSpace(name), Columns[i]) {
			return false
		}
	}
	return true
}

// readRow validates one record; nil when it has errors (added to ie).
func readRow(ie *ImportError, row int, rec []string) *Center {
	if len(rec) != len(Columns) {
		ie.add(row, "", "columns", "%d columns, want %d: %s", len(rec), len(Columns), strings.Join(Columns, ","))
		return nil
	}
	v := &ValidationError{}
	in := Input{ID: strings.TrimSpace(rec[0]), Name: rec[1], Address: rec[2], Hours: rec[5], TimeZone: rec[6], Phone: rec[7]}
	if in.ID == "" {
		v.add("id", "required", "an id is required: a re-import updates the center with the same id")
	}
	for i, f := range []*float64{&in.Lat, &in.Lon} {
		n, err := parseDegrees(rec[3+i])
		if err != nil {
			v.add(Columns[3+i], "invalid", "%q is not a number of degrees", strings.TrimSpace(rec[3+i]))
			n = 0.1 // not 0, 0: the coordinates are not missing, only wrong
		}
		*f = n
	}
	for _, s := range strings.Split(rec[8], "|") {
		if s = strings.TrimSpace(s); s != "" {
			in.Services = append(in.Services, s)
		}
	}
	c, err := build(in)
	var ve *ValidationError
	if errors.As(err, &ve) {
		v.Fields = append(v.Fields, ve.Fields...)
	}
	for _, f := range v.Fields {
		ie.Rows = append(ie.Rows, RowError{Row: row, FieldError: f})
	}
	if len(v.Fields) > 0 {
		return nil
	}
	return c
}

// WriteCSV writes centers in the import format, so that an export can be edited and imported
// again.
func WriteCSV(w io.Writer, centers []*Center) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, c := range centers {
		rec := []string{c.ID, c.Name, c.Address, fmt.Sprint(c.Lat), fmt.Sprint(c.Lon), c.Hours.String(), c.Hours.Zone,
			c.Phone, strings.Join(c.Services, "|")}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
