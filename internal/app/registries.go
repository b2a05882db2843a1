package app

import (
	"fmt"

	"github.com/civis-id/civis/internal/registry"
)

// registries builds the state-registry connectors the configuration names: the simulator
// (development, demonstrations, tests), the HTTP connector of an interagency gateway, or
// none (submissions then answer "unavailable").
func (a *App) registries() (registry.Registries, error) {
	cfg := a.Config
	switch cfg.Registry {
	case "simulator":
		outages, err := registry.ParseWindows(cfg.SimulatorOutages)
		if err != nil {
			return registry.Registries{}, fmt.Errorf("--simulator-outages: %w", err)
		}
		sim, err := registry.NewSimulator(registry.SimulatorConfig{DataFile: cfg.SimulatorData,
			Permissive: !cfg.SimulatorStrict, Delay: cfg.SimulatorDelay, ErrorRate: cfg.SimulatorErrorRate,
			Outages: outages, Now: a.Now})
		if err != nil {
			return registry.Registries{}, fmt.Errorf("registry simulator: %w", err)
		}
		return sim.Registries(), nil
	case "http":
		h, err := registry.NewHTTP(registry.HTTPConfig{BaseURL: cfg.RegistryURL, Token: cfg.RegistryToken,
			ClientCert: cfg.RegistryClientCert, ClientKey: cfg.RegistryClientKey, Timeout: cfg.RegistryTimeout}, nil)
		if err != nil {
			return registry.Registries{}, fmt.Errorf("registry gateway: %w", err)
		}
		return h.Registries(), nil
	}
	return registry.Registries{}, nil
}
