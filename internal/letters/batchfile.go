package letters

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Columns are the fixed columns of a batch's CSV file, in order (docs/letters.md describes
// them).
var Columns = []string{"letter_id", "postcode", "region", "city", "street", "house", "flat", "recipient",
	"code", "valid_until", "batch_id", "sheet"}

//go:embed sheet.html
var sheetSource string

var sheetTemplate = template.Must(template.New("sheet").Parse(sheetSource))

// Files names what WriteFiles wrote.
type Files struct {
	CSV    string   // DIR/batch-<date>.csv
	Sheets []string // DIR/batch-<date>/<letter_id>.html, in the CSV's order
}

// All lists every file.
func (f *Files) All() []string { return append([]string{f.CSV}, f.Sheets...) }

// Remove deletes what was written (after a failed batch, whose codes are void).
func (f *Files) Remove() {
	for _, p := range f.All() {
		if p != "" {
			_ = os.Remove(p)
		}
	}
	if len(f.Sheets) > 0 {
		_ = os.Remove(filepath.Dir(f.Sheets[0]))
	}
}

// WriteFiles writes b into dir for the print house: batch-<date>.csv (a suffix -2, -3, ...
// when a batch of that day exists) and one printable HTML sheet per letter in the directory
// of the same name. The files hold the codes: they are readable by their owner only. site is
// the public base URL printed on the sheets. On error, what was written is removed.
func WriteFiles(dir string, b *Batch, site string) (*Files, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("batch directory: %w", err)
	}
	base, err := freeName(dir, "batch-"+b.At.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	f := &Files{CSV: base + ".csv"}
	if err := os.Mkdir(base, 0o700); err != nil {
		return nil, fmt.Errorf("sheets directory: %w", err)
	}
	for _, p := range b.Letters {
		f.Sheets = append(f.Sheets, filepath.Join(base, p.ID+".html"))
	}
	err = writeAll(f, b, site)
	if err != nil {
		f.Remove()
		return nil, err
	}
	return f, nil
}

func writeAll(f *Files, b *Batch, site string) error {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, b, filepath.Base(strings.TrimSuffix(f.CSV, ".csv"))); err != nil {
		return err
	}
	if err := writeFile(f.CSV, buf.Bytes()); err != nil {
		return err
	}
	for i, p := range b.Letters {
		buf.Reset()
		if err := WriteSheet(&buf, p, site); err != nil {
			return err
		}
		if err := writeFile(f.Sheets[i], buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// freeName returns dir/name, or dir/name-2, -3, ... when a batch of that name exists.
func freeName(dir, name string) (string, error) {
	for i := 1; i < 1000; i++ {
		n := name
		if i > 1 {
			n += "-" + strconv.Itoa(i)
		}
		p := filepath.Join(dir, n)
		_, err1 := os.Stat(p + ".csv")
		_, err2 := os.Stat(p)
		if errors.Is(err1, fs.ErrNotExist) && errors.Is(err2, fs.ErrNotExist) {
			return p, nil
		}
	}
	return "", fmt.Errorf("batch files: too many batches named %s in %s", name, dir)
}

// writeFile creates path (never overwriting) with the owner's permissions only, and syncs it.
func writeFile(path string, data []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("batch file: %w", err)
	}
	_, err = fh.Write(data)
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("batch file %s: %w", filepath.Base(path), err)
	}
	return nil
}

// WriteCSV writes the batch's CSV (Columns, then one row per letter); sheets names the
// directory of the HTML sheets, relative to the CSV file.
func WriteCSV(w io.Writer, b *Batch, sheets string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, p := range b.Letters {
		a := p.Address
		row := []string{p.ID, a.Postcode, a.Region, a.City, a.Street, a.House, a.Flat, p.Recipient, p.Code,
			validUntil(p.Letter), b.ID, sheets + "/" + p.ID + ".html"}
		for i := range row {
			row[i] = cell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func validUntil(l *Letter) string {
	if l.ExpiresAt.IsZero() {
		return ""
	}
	return l.ExpiresAt.Format(time.DateOnly)
}

// cell keeps a citizen's text from being read as a formula by a spreadsheet.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

type sheetData struct {
	Recipient  string
	Lines      []string
	Code       string
	ValidUntil string
	Site       string
	LetterID   string
}

// WriteSheet writes the printable page of one letter: the recipient and address, the code in
// large type, and where to type it.
func WriteSheet(w io.Writer, p Printed, site string) error {
	d := sheetData{Recipient: p.Recipient, Lines: p.Address.Lines(), Code: p.Code, Site: site, LetterID: p.ID}
	if !p.ExpiresAt.IsZero() {
		d.ValidUntil = p.ExpiresAt.Format("02.01.2006")
	}
	return sheetTemplate.Execute(w, d)
}
