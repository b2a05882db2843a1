package center

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

const header = "id,name,address,lat,lon,hours,timezone,phone,services\n"

const goodCSV = header +
	`mfc-tver,МФЦ Тверской,"Москва, ул. Тверская, 8",55.7520,37.6175,Mon-Fri 09:00-20:00; Sat 10:00-17:00,,+7 495 000-00-01,register|confirm|recover|delete` + "\n" +
	`mfc-vdnkh,МФЦ Останкинский,"Москва, проспект Мира, 119",55.8262,37.6377,"Mon-Fri 08:00-20:00",Europe/Moscow,,confirm` + "\n" +
	`vl-1,Центр во Владивостоке,"Владивосток, Светланская, 1",43.1155,131.8855,Mon-Fri 09:00-18:00,Asia/Vladivostok,,recover | confirm` + "\n"

// rowCodes returns "row:field:code" for each problem of an *ImportError.
func rowCodes(err error) []string {
	var ie *ImportError
	if !errors.As(err, &ie) {
		return []string{"not an ImportError: " + errString(err)}
	}
	var out []string
	for _, r := range ie.Rows {
		out = append(out, fmt.Sprintf("%d:%s:%s", r.Row, r.Field, r.Code))
	}
	return out
}

func TestImportCSV(t *testing.T) {
	s, m, clk := newService()
	ctx := context.Background()
	res, err := s.ImportCSV(ctx, strings.NewReader("\ufeff"+goodCSV))
	if err != nil || res != (ImportResult{Created: 3}) {
		t.Fatalf("ImportCSV = %+v, %v", res, err)
	}
	vl, err := s.Get(ctx, "vl-1")
	if err != nil || vl.Hours.Zone != "Asia/Vladivostok" || !slices.Equal(vl.Services, []string{Confirm, Recover}) {
		t.Fatalf("imported center = %+v, %v", vl, err)
	}
	tver, _ := s.Get(ctx, "mfc-tver")
	if tver.Hours.Zone != DefaultTimeZone || tver.Address != "Москва, ул. Тверская, 8" || tver.Lat != 55.752 {
		t.Errorf("imported center = %+v", tver)
	}

	// A re-import updates by id and keeps centers the file leaves out.
	clk.t = clk.t.Add(time.Hour)
	again := header + `mfc-tver,МФЦ Тверской (новый адрес),"Москва, ул. Тверская, 10",55.7530,37.6100,Mon-Sat 09:00-21:00,,,register` + "\n" +
		`new-1,Новый центр,Москва,55.7,37.5,Sun 10:00-12:00,,,delete` + "\n"
	res, err = s.ImportCSV(ctx, strings.NewReader(again))
	if err != nil || res != (ImportResult{Created: 1, Updated: 1}) {
		t.Fatalf("re-import = %+v, %v", res, err)
	}
	tver, _ = s.Get(ctx, "mfc-tver")
	if tver.Name != "МФЦ Тверской (новый адрес)" || tver.Hours.String() != "Mon-Sat 09:00-21:00" ||
		!tver.UpdatedAt.Equal(clk.t) || tver.CreatedAt.Equal(clk.t) {
		t.Errorf("re-imported center = %+v", tver)
	}
	if all, _ := s.List(ctx); len(all) != 4 {
		t.Errorf("after the re-import there are %d centers, want 4", len(all))
	}

	// Export and import again: nothing is lost.
	all, _ := s.List(ctx)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, all); err != nil {
		t.Fatal(err)
	}
	if res, err := s.ImportCSV(ctx, &buf); err != nil || res.Updated != 4 {
		t.Errorf("import of an export = %+v, %v", res, err)
	}
	_ = m
}

func TestImportCSVAllOrNothing(t *testing.T) {
	s, m, _ := newService()
	ctx := context.Background()
	if _, err := s.ImportCSV(ctx, strings.NewReader(goodCSV)); err != nil {
		t.Fatal(err)
	}
	before, _ := s.List(ctx)

	bad := header +
		`mfc-tver,Changed,Addr,55.7,37.6,Mon 09:00-18:00,,,confirm` + "\n" + // valid: must not be written
		`,No id,Addr,55.7,37.6,Mon 09:00-18:00,,,confirm` + "\n" +
		`x2,Bad hours,Addr,55.7,37.6,Mon 18:00-09:00,,,confirm` + "\n" +
		`x3,Bad point,Addr,north,37.6,Mon 09:00-18:00,Mars/Base,,confirm|teleport` + "\n" +
		`x4,Too few columns` + "\n" +
		`"x5","Multi` + "\n" + `line",Addr,55.7,37.6,Sun 09:00-18:00,,,` + "\n" +
		`mfc-tver,Repeated,Addr,55.7,37.6,Mon 09:00-18:00,,,confirm` + "\n"
	_, err := s.ImportCSV(ctx, strings.NewReader(bad))
	want := []string{"3:id:required", "4:hours:interval_empty", "5:lat:invalid", "5:timezone:unknown", "5:services:unknown",
		"6::columns", "7:services:required", "9:id:repeated"}
	if got := rowCodes(err); !slices.Equal(got, want) {
		t.Errorf("ImportCSV of a bad file got\n%v\nwant\n%v", got, want)
	}
	if msg := errString(err); !strings.Contains(msg, "row 4: hours:") || !strings.Contains(msg, "nothing changed") {
		t.Errorf("the error does not name rows: %s", msg)
	}
	after, _ := s.List(ctx)
	if !equalCenters(before, after) {
		t.Error("a refused import changed the directory")
	}

	// A write that fails midway rolls back the rows before it.
	m.failOn = "zz-last"
	fail := header + `aa-first,First,Addr,55.7,37.6,Mon 09:00-18:00,,,confirm` + "\n" +
		`zz-last,Last,Addr,55.7,37.6,Mon 09:00-18:00,,,confirm` + "\n"
	if _, err := s.ImportCSV(ctx, strings.NewReader(fail)); err == nil {
		t.Fatal("the failing import succeeded")
	}
	if _, err := s.Get(ctx, "aa-first"); err == nil {
		t.Error("the first row of a failed import was kept")
	}
}

func TestImportCSVFormat(t *testing.T) {
	s, _, _ := newService()
	ctx := context.Background()
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{"1::format"}},
		{"wrong header", "id,name,address\nx,y,z\n", []string{"1::header"}},
		{"header only", header, []string{"2::empty"}},
		{"broken quote", header + `a,"Name,Addr,55.7,37.6,Mon 09:00-18:00,,,confirm` + "\n", []string{"2::format"}},
	} {
		_, err := s.ImportCSV(ctx, strings.NewReader(tc.in))
		if got := rowCodes(err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// Semicolons, as spreadsheets in Russian locales save CSV, with decimal commas.
	semi := strings.ReplaceAll(header, ",", ";") +
		`s-1;Центр;"Москва; ул. Арбат, 1";55,75;37,59;"Mon-Fri 09:00-18:00; Sat 10:00-14:00";;;recover` + "\n"
	if res, err := s.ImportCSV(ctx, strings.NewReader(semi)); err != nil || res.Created != 1 {
		t.Fatalf("semicolon CSV = %+v, %v", res, err)
	}
	if c, _ := s.Get(ctx, "s-1"); c.Lat != 55.75 || c.Hours.String() != "Mon-Fri 09:00-18:00; Sat 10:00-14:00" {
		t.Errorf("semicolon CSV center = %+v", c)
	}
}

func equalCenters(a, b []*Center) bool {
	return slices.EqualFunc(a, b, func(x, y *Center) bool {
		return x.ID == y.ID && x.Name == y.Name && x.Hours.String() == y.Hours.String() && x.UpdatedAt.Equal(y.UpdatedAt)
	})
}
