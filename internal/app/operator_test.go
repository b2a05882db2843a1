package app

import (
	"testing"

	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/operator"
)

// TestOperatorLimitsScale: --rate-limit-scale multiplies the operator limits as it does the
// others, rounding up.
func TestOperatorLimitsScale(t *testing.T) {
	a := &App{Config: &config.Config{RateLimitScale: 1.5, Issuer: "https://id.example"}}
	got, def := a.operatorConfig().Limits, operator.DefaultLimits()
	for name, c := range map[string][2]int{
		"SendPerTarget":     {got.SendPerTarget.Max, def.SendPerTarget.Max},
		"SendPerCenter":     {got.SendPerCenter.Max, def.SendPerCenter.Max},
		"SendPerBank":       {got.SendPerBank.Max, def.SendPerBank.Max},
		"SearchPerOperator": {got.SearchPerOperator.Max, def.SearchPerOperator.Max},
		"SearchPerClient":   {got.SearchPerClient.Max, def.SearchPerClient.Max},
	} {
		if want := (c[1]*3 + 1) / 2; c[0] != want {
			t.Errorf("%s.Max = %d at scale 1.5, want %d (default %d)", name, c[0], want, c[1])
		}
	}
}
