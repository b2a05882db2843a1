package flow

import (
	"context"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ratelimit"
)

// limit counts one event under rule for the key and fails with rate_limited past the limit.
// Keys are blind indexes, so no identifier or address is stored in the counters.
func (s *Service) limit(ctx context.Context, rule ratelimit.Rule, kind, value string) error {
	if s.Limiter == nil || value == "" {
		return nil
	}
	d, err := s.Limiter.Hit(ctx, rule, s.Index.BlindIndex("rl:"+kind, value))
	if err != nil {
		return err
	}
	if !d.Allowed {
		return RateLimited(d.RetryAfter)
	}
	return nil
}

// LimitCheckIP counts one check of a secret from ip (a code, a token) under the per-IP rule
// that code entries use, for the secrets other packages check (activation links); past it,
// rate_limited.
func (s *Service) LimitCheckIP(ctx context.Context, ip string) error {
	return s.limit(ctx, s.Config.CheckPerIP, "ip", ip)
}

// limitSend applies the per-target and per-IP limits on sending a code.
func (s *Service) limitSend(ctx context.Context, kind account.ContactKind, value, ip string) error {
	if err := s.limit(ctx, s.Config.SendPerTarget, string(kind), value); err != nil {
		return err
	}
	return s.limit(ctx, s.Config.SendPerIP, "ip", ip)
}
