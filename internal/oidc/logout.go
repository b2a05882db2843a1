package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/civis-id/civis/internal/grant"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// BackchannelJob is the job kind that delivers one logout token.
const BackchannelJob = "oidc.backchannel_logout"

type backchannelPayload struct {
	ClientID  string `json:"client_id"`
	AccountID string `json:"account_id"`
	SessionID string `json:"session_id"`
}

// endSession handles RP-initiated logout: it ends the session named by the id_token_hint's
// sid (or else the browser's), which signs the citizen out everywhere. Without an
// id_token_hint anyone could have sent the browser here, so the citizen is asked first
// (RP-Initiated Logout 1.0, section 2).
func (p *Provider) endSession(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	if req.IDTokenHintClaims == nil {
		next := req.RedirectURI
		return p.cfg.Issuer + PathLogout + "?" + url.Values{"next": {next}, "sig": {p.logoutSig("", next)}}.Encode(), nil
	}
	sess := browserSession(ctx)
	if req.IDTokenHintClaims != nil {
		if sid, _ := req.IDTokenHintClaims.Claims["sid"].(string); sid != "" {
			if sc, err := p.Grants.SessionBySID(ctx, sid); err == nil {
				sess = &session.Session{ID: sc.SessionID, AccountID: sc.AccountID}
			}
		}
	}
	if sess != nil && sess.AccountID != "" {
		if err := p.Sessions.Revoke(ctx, sess); err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	return p.loggedOutURL(ctx, sess, req.RedirectURI), nil
}

// ConfirmLogout ends the browser's session after the citizen confirmed an unhinted logout,
// and returns where to go next (next only when its signature holds).
func (p *Provider) ConfirmLogout(ctx context.Context, sess *session.Session, next, sig string) (string, error) {
	if !p.VerifyLoggedOut("", next, sig) {
		next = ""
	}
	if sess != nil {
		if err := p.Sessions.Revoke(ctx, sess); err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	return p.loggedOutURL(ctx, sess, next), nil
}

// loggedOutURL is where the browser goes after logout: the RP's post-logout URI, through the
// front-channel page when some client of the session asked for front-channel logout.
func (p *Provider) loggedOutURL(ctx context.Context, sess *session.Session, next string) string {
	if !strings.HasPrefix(next, "http") {
		next = p.cfg.Issuer + PathLoggedOut
	}
	if sess == nil {
		return next
	}
	return p.cfg.Issuer + PathLoggedOut + "?" + url.Values{"sid": {sess.ID}, "next": {next},
		"sig": {p.logoutSig(sess.ID, next)}}.Encode()
}

// FrontchannelURIs returns the front-channel logout URIs (with iss and sid) of the clients
// that got tokens from a session that has ended, for the logged-out page's iframes.
func (p *Provider) FrontchannelURIs(ctx context.Context, sid string) []string {
	scs, err := p.Grants.SessionClients(ctx, sid)
	if err != nil {
		return nil
	}
	var out []string
	for _, sc := range scs {
		c, err := p.Clients.Get(ctx, sc.ClientID)
		if err != nil || c.FrontchannelLogoutURI == "" {
			continue
		}
		u, err := url.Parse(c.FrontchannelLogoutURI)
		if err != nil {
			continue
		}
		q := u.Query()
		q.Set("iss", p.cfg.Issuer)
		q.Set("sid", sc.SID)
		u.RawQuery = q.Encode()
		out = append(out, u.String())
	}
	return out
}

// SessionEnded runs in the transaction that ends a Civis session: it revokes the session's
// tokens and queues a back-channel logout token for every client that got tokens from it.
func (p *Provider) SessionEnded(ctx context.Context, s *session.Session) error {
	scs, err := p.Grants.SessionClients(ctx, s.ID)
	if err != nil {
		return err
	}
	if err := p.Grants.EndSessionGrants(ctx, s.ID); err != nil {
		return err
	}
	return p.queueBackchannel(ctx, s, scs)
}

// SessionExpired runs in the transaction that deletes a Civis session past its lifetime (not
// one ended by the idle timeout, see session.Service.EndExpired): it queues the back-channel logout tokens SessionEnded queues, with the same
// sid and sub. The session's tokens are left to their own expiry: a refresh token
// (offline_access) outlives the session it came from unless the citizen signs out.
func (p *Provider) SessionExpired(ctx context.Context, s *session.Session) error {
	scs, err := p.Grants.SessionClients(ctx, s.ID)
	if err != nil {
		return err
	}
	return p.queueBackchannel(ctx, s, scs)
}

// queueBackchannel queues a logout token for each client of the session that registered a
// back-channel logout URI.
func (p *Provider) queueBackchannel(ctx context.Context, s *session.Session, scs []grant.SessionClient) error {
	for _, sc := range scs {
		c, err := p.Clients.Get(ctx, sc.ClientID)
		if err != nil || c.BackchannelLogoutURI == "" {
			continue
		}
		payload, _ := json.Marshal(backchannelPayload{ClientID: sc.ClientID, AccountID: sc.AccountID, SessionID: s.ID})
		if err := p.Queue.Enqueue(ctx, BackchannelJob, payload); err != nil {
			return err
		}
	}
	return nil
}

// BackchannelHandler delivers a logout token (OpenID Connect Back-Channel Logout 1.0).
func (p *Provider) BackchannelHandler(client *http.Client) jobs.Handler {
	return func(ctx context.Context, j *jobs.Job) error {
		var pl backchannelPayload
		if err := json.Unmarshal(j.Payload, &pl); err != nil {
			return jobs.Permanent(err)
		}
		c, err := p.Clients.Get(ctx, pl.ClientID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && c.BackchannelLogoutURI == "") {
			return nil // the client is gone or no longer wants it
		}
		if err != nil {
			return err
		}
		token, err := p.logoutToken(ctx, p.subject(c, pl.AccountID), pl.ClientID, p.sid(pl.SessionID, pl.ClientID))
		if err != nil {
			return err
		}
		return postLogoutToken(ctx, client, c.BackchannelLogoutURI, token)
	}
}

func (p *Provider) logoutToken(ctx context.Context, sub, aud, sid string) (string, error) {
	k, err := p.Keys.Active(ctx)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Algorithm), Key: k.Signer},
		(&jose.SignerOptions{}).WithType("logout+jwt").WithHeader("kid", k.ID))
	if err != nil {
		return "", err
	}
	now := p.Now().UTC()
	claims := map[string]any{
		"iss": p.cfg.Issuer, "aud": aud, "sub": sub, "sid": sid, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti":    uuid.NewString(),
		"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

func postLogoutToken(ctx context.Context, client *http.Client, uri, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
	if err != nil {
		return jobs.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("back-channel logout: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusBadRequest:
		return jobs.Permanent(fmt.Errorf("back-channel logout refused: %s", resp.Status))
	}
	return fmt.Errorf("back-channel logout: %s", resp.Status)
}
