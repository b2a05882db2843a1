package credential

import "testing"

func TestParamsValidate(t *testing.T) {
	d := DefaultParams()
	with := func(f func(*Params)) Params { p := d; f(&p); return p }
	tests := []struct {
		name    string
		p       Params
		wantErr bool
	}{
		{"default", d, false},
		{"cheap", cheap, false},
		{"zero", Params{}, true},
		{"no threads", with(func(p *Params) { p.Threads = 0 }), true},
		{"no time", with(func(p *Params) { p.Time = 0 }), true},
		{"too much time", with(func(p *Params) { p.Time = maxTime + 1 }), true},
		{"memory below 8 per lane", with(func(p *Params) { p.Threads = 4; p.Memory = 31 }), true},
		{"too much memory", with(func(p *Params) { p.Memory = maxMemoryKiB + 1 }), true},
		{"short salt", with(func(p *Params) { p.SaltLen = 4 }), true},
		{"short key", with(func(p *Params) { p.KeyLen = 8 }), true},
		{"long key", with(func(p *Params) { p.KeyLen = maxByteLen + 1 }), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.p.Validate(); (err != nil) != tc.wantErr {
				t.Errorf("%+v.Validate() got %v, want error %v", tc.p, err, tc.wantErr)
			}
		})
	}
	if got, want := d, (Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}); got != want {
		t.Errorf("DefaultParams() got %+v, want %+v", got, want)
	}
}
