package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

func testCenter(t *testing.T, id, name, hours, zone string, services ...string) *center.Center {
	t.Helper()
	h, err := center.ParseHours(hours, zone)
	if err != nil {
		t.Fatal(err)
	}
	return &center.Center{ID: id, Name: name, Address: "Москва, ул. Тверская, 8", Lat: 55.752021, Lon: 37.617499,
		Hours: h, Phone: "+7 (495) 000-00-00", Services: services, CreatedAt: at(0), UpdatedAt: at(time.Second)}
}

// testCenters: create, read back exactly (floats, hours, zone, Cyrillic, times), list by id,
// update, delete, and the not-found and conflict errors.
func testCenters(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	b := testCenter(t, "b-vl", "Центр во Владивостоке", "Mon-Fri 09:00-13:00, 14:00-18:00; Sat 10:00-14:00", "Asia/Vladivostok",
		center.Confirm, center.Recover)
	a := testCenter(t, "a-msk", "МФЦ Тверской", "Mon-Sun 00:00-24:00", "", center.Register)
	for _, x := range []*center.Center{b, a} {
		if err := db.CreateCenter(c, x); err != nil {
			t.Fatalf("CreateCenter(%s): %v", x.ID, err)
		}
	}
	if err := db.CreateCenter(c, a); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateCenter with a taken id = %v, want store.ErrConflict", err)
	}
	got, err := db.GetCenter(c, "b-vl")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != b.Name || got.Address != b.Address || got.Lat != b.Lat || got.Lon != b.Lon || got.Phone != b.Phone ||
		got.Hours.String() != b.Hours.String() || got.Hours.Zone != "Asia/Vladivostok" ||
		!slices.Equal(got.Services, b.Services) || !got.CreatedAt.Equal(b.CreatedAt) || !got.UpdatedAt.Equal(b.UpdatedAt) ||
		got.CreatedAt.Location() != time.UTC {
		t.Errorf("GetCenter = %+v\nwant %+v", got, b)
	}
	// Monday 2026-03-02 02:00 UTC is 12:00 in Vladivostok (open); 03:00 UTC is 13:00, the break.
	if !got.OpenAt(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)) || got.OpenAt(time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("the stored hours lost their time zone or their break: %s in %s", got.Hours, got.Hours.Zone)
	}
	if _, err := db.GetCenter(c, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetCenter(missing) = %v, want store.ErrNotFound", err)
	}
	list, err := db.ListCenters(c)
	if err != nil || len(list) != 2 || list[0].ID != "a-msk" || list[1].ID != "b-vl" || list[0].Hours.Zone != center.DefaultTimeZone {
		t.Errorf("ListCenters = %v, %v; want a-msk, b-vl", list, err)
	}

	a.Name, a.Services, a.UpdatedAt = "МФЦ Тверской (переехал)", []string{center.Delete}, at(time.Hour)
	if err := db.UpdateCenter(c, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetCenter(c, "a-msk"); got.Name != a.Name || !slices.Equal(got.Services, a.Services) ||
		!got.UpdatedAt.Equal(at(time.Hour)) || !got.CreatedAt.Equal(at(0)) {
		t.Errorf("after UpdateCenter: %+v", got)
	}
	if err := db.UpdateCenter(c, testCenter(t, "missing", "X", "Mon 09:00-10:00", "", center.Confirm)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateCenter(missing) = %v, want store.ErrNotFound", err)
	}
	if err := db.DeleteCenter(c, "a-msk"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteCenter(c, "a-msk"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteCenter twice = %v, want store.ErrNotFound", err)
	}
	if list, _ := db.ListCenters(c); len(list) != 1 {
		t.Errorf("after DeleteCenter %d centers remain, want 1", len(list))
	}
}

// testCenterImport: a CSV import through the center service is one transaction on the real
// engine: a row that fails to write leaves nothing of the rows before it.
func testCenterImport(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	svc := &center.Service{Store: db, Tx: db, Now: func() time.Time { return at(0) }}
	const header = "id,name,address,lat,lon,hours,timezone,phone,services\n"
	res, err := svc.ImportCSV(c, strings.NewReader(header+
		"c1,Первый,\"Москва, ул. Арбат, 1\",55.75,37.59,Mon-Fri 09:00-18:00,,,confirm|recover\n"+
		"c2,Второй,Москва,55.76,37.60,Sat 10:00-14:00,Europe/Kaliningrad,,register\n"))
	if err != nil || res != (center.ImportResult{Created: 2}) {
		t.Fatalf("ImportCSV = %+v, %v", res, err)
	}
	// The second row's write fails after the first row was written in the transaction.
	failing := &center.Service{Store: refuseID{DB: db, id: "c3"}, Tx: db, Now: func() time.Time { return at(time.Hour) }}
	_, err = failing.ImportCSV(c, strings.NewReader(header+
		"c1,Первый изменён,Москва,55.75,37.59,Mon-Fri 09:00-18:00,,,confirm\n"+
		"c3,Третий,Москва,55.77,37.61,Sun 10:00-14:00,,,delete\n"))
	if err == nil {
		t.Fatal("the failing import succeeded")
	}
	got, err := db.GetCenter(c, "c1")
	if err != nil || got.Name != "Первый" || !got.UpdatedAt.Equal(at(0)) {
		t.Errorf("after a failed import c1 = %+v, %v; want it unchanged", got, err)
	}
	if _, err := db.GetCenter(c, "c3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after a failed import c3 = %v, want store.ErrNotFound", err)
	}
	if got, _ := db.GetCenter(context.Background(), "c2"); got == nil || got.Hours.Zone != "Europe/Kaliningrad" {
		t.Errorf("c2 = %+v", got)
	}
}

// refuseID is the store with CreateCenter failing for one id, inside the caller's transaction.
type refuseID struct {
	*sqlstore.DB
	id string
}

func (r refuseID) CreateCenter(ctx context.Context, c *center.Center) error {
	if c.ID == r.id {
		return errors.New("refused for the test")
	}
	return r.DB.CreateCenter(ctx, c)
}
