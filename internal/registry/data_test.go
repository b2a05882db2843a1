package registry

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/ident"
	"github.com/google/go-cmp/cmp"
)

func TestSampleData(t *testing.T) {
	var raw []fileRecord
	if err := json.Unmarshal(sampleData, &raw); err != nil {
		t.Fatalf("decode sample: %v", err)
	}
	if len(raw) < 10 {
		t.Errorf("sample has %d persons, want about 10", len(raw))
	}
	for i, r := range raw {
		if _, err := ident.NormalizeSNILS(r.SNILS); err != nil {
			t.Errorf("person %d: SNILS %q: %v", i+1, r.SNILS, err)
		}
		if n, err := normalizePersonINN(r.INN); err != nil || (r.INN != "" && n != r.INN) {
			t.Errorf("person %d: INN %q: %v", i+1, r.INN, err)
		}
	}
	idx, err := loadFile("")
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	if _, ok := idx.bySNILS["11223344595"]; !ok {
		t.Errorf("sample lacks SNILS 112-233-445 95")
	}
}

func TestLoadJSONAndCSV(t *testing.T) {
	fromJSON, err := loadFile("testdata/persons.json")
	if err != nil {
		t.Fatalf("load json: %v", err)
	}
	fromCSV, err := loadFile("testdata/persons.csv")
	if err != nil {
		t.Fatalf("load csv: %v", err)
	}
	opts := cmp.AllowUnexported(index{}, record{}, knownDocument{})
	if diff := cmp.Diff(fromJSON, fromCSV, opts); diff != "" {
		t.Errorf("csv and json load differently (-json +csv):\n%s", diff)
	}
	r, ok := fromJSON.bySNILS["24681357994"]
	if !ok || len(r.documents) != 1 || r.documents[0].Series != "4003" || r.documents[0].valid {
		t.Errorf("Белова = %+v, want an invalid passport with series 4003", r)
	}
	g, ok := fromJSON.byINN["390612345624"]
	if !ok || len(g.documents) != 1 || g.documents[0].Country != "ESP" || g.documents[0].Number != "PAA123456" {
		t.Errorf("García = %+v, want a normalized ESP passport", g)
	}
}

func TestLoadWithoutExtension(t *testing.T) {
	for _, path := range []string{"testdata/persons_noext", "testdata/persons_csv_noext"} {
		idx, err := loadFile(path)
		if err != nil {
			t.Errorf("loadFile(%s): %v", path, err)
			continue
		}
		if _, ok := idx.bySNILS["13579246894"]; !ok {
			t.Errorf("loadFile(%s) lost the person", path)
		}
	}
}

func TestLoadBadFiles(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"bad_snils_checksum.json", "person 1: snils: SNILS check digits do not match"},
		{"bad_inn.json", "person 1: inn: an individual's INN has 12 digits"},
		{"unknown_field.json", `unknown field "snlis"`},
		{"not_array.json", "decode json"},
		{"trailing.json", "data after the array"},
		{"duplicate_snils.json", "person 2: duplicate snils"},
		{"bad_passport.json", "person 1: passport: invalid document: series_invalid"},
		{"bad_status.json", "person 1: passport: status must be valid or invalid"},
		{"missing_name.json", "person 1: person last_name is invalid"},
		{"bad_date.csv", "line 3: birth_date is not YYYY-MM-DD"},
		{"unknown_column.csv", `unknown or repeated column "phone"`},
		{"missing_column.csv", `column "birth_date" is missing`},
		{"ragged.csv", "wrong number of fields"},
		{"nonexistent.json", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := NewSimulator(SimulatorConfig{DataFile: filepath.Join("testdata", tt.file)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewSimulator(%s) error = %v, want one containing %q", tt.file, err, tt.want)
			}
			for _, secret := range []string{"Орлов", "Михаил", "135-792-468", "7707083893", "17.01.1968", "451"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains the value %q", err, secret)
				}
			}
		})
	}
}

func TestLoadEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"empty.json": "[]", "header.csv": "last_name,first_name,birth_date\n"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := NewSimulator(SimulatorConfig{DataFile: path}); err != nil {
			t.Errorf("NewSimulator(%s): %v", name, err)
		}
	}
	for name, content := range map[string]string{"blank.json": "", "null.json": "null", "blank.csv": ""} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := NewSimulator(SimulatorConfig{DataFile: path}); err == nil {
			t.Errorf("NewSimulator(%s) accepted an empty file", name)
		}
	}
}

func TestForeignPassportSeries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "persons.csv")
	csv := "last_name,first_name,birth_date,foreign_passport_country,foreign_passport_series,foreign_passport_number\nLukashenko,Ivan,1980-01-01,BLR,MP,1234567\n"
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newSim(t, SimulatorConfig{DataFile: path})
	p := Person{LastName: "Lukashenko", FirstName: "Ivan", BirthDate: date(1980, 1, 1)}
	for _, tt := range []struct {
		series string
		want   Result
	}{
		{"mp", Result{Outcome: Verified}},
		{"", notVerified(ReasonNotFound)},
	} {
		d := Document{Type: TypeForeignPassport, Series: tt.series, Number: "1234567", Country: "BLR"}
		if got, err := s.CheckDocument(context.Background(), p, d); err != nil || got != tt.want {
			t.Errorf("CheckDocument(series %q) = %+v, %v; want %+v", tt.series, got, err, tt.want)
		}
	}
}
