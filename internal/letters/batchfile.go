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
	"runtime"
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

	dir        string // the sheets' directory
	size, kept int64  // bytes of the CSV written, and of them those of recorded letters
	keptSheets int    // sheets of recorded letters
	gone       bool   // Remove deleted everything
}

// output is what the chunks of one Service.Batch run share: the files WriteFiles writes them
// to. Its methods do nothing when no files were written.
type output struct{ files *Files }

// written returns the batch's files, or nil while it has none.
func (o *output) written() *Files {
	if o == nil || o.files == nil || o.files.gone {
		return nil
	}
	return o.files
}

// keep marks every file written so far as holding recorded letters.
func (o *output) keep() {
	if f := o.written(); f != nil {
		f.kept, f.keptSheets = f.size, len(f.Sheets)
	}
}

// discard takes what was written since the last keep out of the files.
func (o *output) discard() error {
	if f := o.written(); f != nil {
		return f.rollback()
	}
	return nil
}

// All lists every file.
func (f *Files) All() []string { return append([]string{f.CSV}, f.Sheets...) }

// Remove deletes what was written for letters that the batch did not record (after a failed
// chunk or batch, whose codes are void): all of the files when it recorded none, else the
// rows and sheets of the chunk that failed, so that the files hold exactly the recorded
// letters. It is safe to call more than once.
func (f *Files) Remove() { _ = f.rollback() }

// rollback is Remove, with the errors of what it could not delete.
func (f *Files) rollback() error {
	if f.gone {
		return nil
	}
	var errs []error
	for _, p := range f.Sheets[f.keptSheets:] {
		errs = append(errs, removeIfThere(p))
	}
	f.Sheets = f.Sheets[:f.keptSheets]
	if f.keptSheets == 0 {
		f.gone = true
		errs = append(errs, removeIfThere(f.CSV), removeIfThere(f.dir))
		return errors.Join(errs...)
	}
	if f.size != f.kept {
		errs = append(errs, truncate(f.CSV, f.kept))
		f.size = f.kept
	}
	return errors.Join(errs...)
}

// removeIfThere removes path; one already gone is no error.
func removeIfThere(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// truncate cuts path back to size bytes and syncs it.
func truncate(path string, size int64) error {
	fh, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = fh.Truncate(size)
	if err == nil {
		err = fh.Sync()
	}
	return errors.Join(err, fh.Close())
}

// WriteFiles writes b into dir for the print house: batch-<date>.csv (a suffix -2, -3, ...
// when a batch of that day exists) and one printable HTML sheet per letter in the directory
// of the same name. The files hold the codes: they are readable by their owner only. site is
// the public base URL printed on the sheets. Everything is synced, the directories too,
// before it returns. On error, what this call wrote is removed.
//
// Called by Service.Batch for a later chunk of the same batch, it appends the chunk to the
// files of the earlier ones (the sheets first, then the CSV rows naming them) and returns the
// same Files.
func WriteFiles(dir string, b *Batch, site string) (*Files, error) {
	f := b.out.written()
	if f == nil {
		var err error
		if f, err = createFiles(dir, b); err != nil {
			return nil, err
		}
		if b.out != nil {
			b.out.files = f
		}
	}
	if err := f.add(b, site); err != nil {
		return nil, errors.Join(err, f.rollback()) // a failed cleanup leaves void codes in the files: say so
	}
	return f, nil
}

// createFiles makes the batch's sheets directory and its CSV file with the header row.
func createFiles(dir string, b *Batch) (*Files, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("batch directory: %w", err)
	}
	base, err := freeName(dir, "batch-"+b.At.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(base, 0o700); err != nil {
		return nil, fmt.Errorf("sheets directory: %w", err)
	}
	f := &Files{CSV: base + ".csv", dir: base}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(Columns); err != nil {
		return nil, err
	}
	cw.Flush()
	if err := writeFile(f.CSV, buf.Bytes()); err != nil {
		_ = os.Remove(base)
		return nil, err
	}
	f.size = int64(buf.Len())
	f.kept = f.size
	return f, nil
}

// add writes the sheets of b's letters, then appends their rows to the CSV, and syncs the
// directories that name them.
func (f *Files) add(b *Batch, site string) error {
	var buf bytes.Buffer
	for _, p := range b.Letters {
		path := filepath.Join(f.dir, p.ID+".html")
		buf.Reset()
		if err := WriteSheet(&buf, p, site); err != nil {
			return err
		}
		f.Sheets = append(f.Sheets, path)
		if err := writeFile(path, buf.Bytes()); err != nil {
			return err
		}
	}
	buf.Reset()
	if err := writeRows(&buf, b, filepath.Base(f.dir)); err != nil {
		return err
	}
	n, err := appendFile(f.CSV, buf.Bytes())
	f.size += n
	if err != nil {
		return err
	}
	if err := syncDir(f.dir); err != nil {
		return err
	}
	return syncDir(filepath.Dir(f.dir))
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
// A file it could not complete is removed.
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
		_ = os.Remove(path)
		return fmt.Errorf("batch file %s: %w", filepath.Base(path), err)
	}
	return nil
}

// appendFile appends data to path and syncs it; it returns how many bytes it wrote.
func appendFile(path string, data []byte) (int64, error) {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return 0, fmt.Errorf("batch file: %w", err)
	}
	n, err := fh.Write(data)
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return int64(n), fmt.Errorf("batch file %s: %w", filepath.Base(path), err)
	}
	return int64(n), nil
}

// syncDir makes the names in dir durable. Windows cannot sync a directory, and does not
// need to.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fh, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("batch directory: %w", err)
	}
	err = fh.Sync()
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("batch directory: %w", err)
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
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return writeRows(w, b, sheets)
}

// writeRows writes one CSV row per letter of b.
func writeRows(w io.Writer, b *Batch, sheets string) error {
	cw := csv.NewWriter(w)
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
