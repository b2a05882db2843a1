package app

import (
	"context"

	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/config"
)

// wireCenters builds the directory of service centers.
func (a *App) wireCenters() {
	a.Centers = &center.Service{Store: a.DB, Tx: a.DB, Now: a.Now}
}

// DemoCenters are the service centers --dev creates: Moscow addresses with varied services
// and hours, one open around the clock.
var DemoCenters = []center.Input{
	{ID: "demo-tverskaya", Name: "МФЦ района Тверской", Address: "Москва, ул. Тверская, 8, стр. 1",
		Lat: 55.7602, Lon: 37.6085, Hours: "Mon-Fri 08:00-20:00; Sat,Sun 10:00-18:00", Phone: "+7 (495) 777-77-01",
		Services: []string{center.Register, center.Confirm, center.Recover, center.Delete}},
	{ID: "demo-arbat", Name: "МФЦ района Арбат", Address: "Москва, ул. Новый Арбат, 36",
		Lat: 55.7537, Lon: 37.5776, Hours: "Mon-Fri 09:00-13:00, 14:00-20:00", Phone: "+7 (495) 777-77-02",
		Services: []string{center.Register, center.Confirm}},
	{ID: "demo-vdnkh", Name: "Центр госуслуг «Мои документы» Останкинский", Address: "Москва, проспект Мира, 119, стр. 1",
		Lat: 55.8262, Lon: 37.6377, Hours: "Mon-Sat 10:00-22:00", Phone: "+7 (495) 777-77-03",
		Services: []string{center.Confirm, center.Recover}},
	{ID: "demo-post-lubyanka", Name: "Отделение почты 101000", Address: "Москва, Мясницкая ул., 26А",
		Lat: 55.7647, Lon: 37.6372, Hours: "Mon-Fri 08:00-20:00; Sat 09:00-18:00", Phone: "+7 (800) 100-00-00",
		Services: []string{center.Confirm}},
	{ID: "demo-vnukovo", Name: "Центр обслуживания в аэропорту Внуково", Address: "Москва, аэропорт Внуково, терминал A",
		Lat: 55.6050, Lon: 37.2861, Hours: "Mon-Sun 00:00-24:00", Phone: "+7 (495) 777-77-05",
		Services: []string{center.Recover, center.Delete}},
}

// seedCenters creates the demo centers of --dev that do not exist yet, so restarts keep an
// administrator's changes to them.
func (a *App) seedCenters(ctx context.Context) error {
	for _, in := range DemoCenters {
		if err := a.Centers.Ensure(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

// CenterDirectory opens the configured database for the CLI's center commands and returns
// the directory. The database must be migrated; the returned func releases it.
func CenterDirectory(ctx context.Context, cfg *config.Config) (*center.Service, func(), error) {
	db, err := OpenReadyDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return &center.Service{Store: db, Tx: db}, func() { db.Close() }, nil
}
