package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// siteRow is one connected site in the cabinet.
type siteRow struct {
	ClientID, Name string
	Data           []string // what it may read, in words
	Granted, Used  stamp
}

// eventRow is one line of the citizen's history.
type eventRow struct {
	Text string
	At   stamp
}

// eventLimit is how many history lines the cabinet shows.
const eventLimit = 50

// connectedSites lists the sites the citizen let read their data.
func (h *Handler) connectedSites(ctx context.Context, v *view, accountID string) ([]siteRow, error) {
	sites, err := h.OIDC.ConnectedSites(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]siteRow, 0, len(sites))
	for _, s := range sites {
		out = append(out, siteRow{ClientID: s.ClientID, Name: s.ClientName, Data: scopeLines(v, s.Scopes),
			Granted: v.stamp(s.GrantedAt), Used: v.stamp(s.LastUsedAt)})
	}
	return out, nil
}

// history tells, newest first, who received the citizen's data and when they signed in.
func (h *Handler) history(ctx context.Context, v *view, accountID string) ([]eventRow, error) {
	events, err := h.Events.AccountEvents(ctx, accountID, eventLimit)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	var out []eventRow
	for _, e := range events {
		if text := h.eventText(ctx, v, e, names); text != "" {
			out = append(out, eventRow{Text: text, At: v.stamp(e.CreatedAt)})
		}
	}
	return out, nil
}

// eventText says what happened in words, or "" for events the citizen is not shown.
func (h *Handler) eventText(ctx context.Context, v *view, e *audit.Event, names map[string]string) string {
	d := e.Details
	switch e.Action {
	case "data.released":
		site := d["client_name"]
		if site == "" {
			site = h.siteName(ctx, d["client_id"], names)
		}
		data := claimWords(v, d["claims"])
		if len(data) == 0 {
			return v.T("event_data_released_none", "Site", site)
		}
		return v.T("event_data_released", "Site", site, "Data", strings.Join(data, ", "))
	case "token.issued":
		return v.T("event_token_issued", "Site", h.siteName(ctx, d["client_id"], names), "Level", levelWords(v, d["acr"]))
	case "consent.revoked":
		return v.T("event_consent_revoked", "Site", h.siteName(ctx, d["client_id"], names))
	case audit.LoginSucceeded, audit.LoginFailed, audit.Logout, audit.AccountCreated:
		return v.T("event_" + strings.ReplaceAll(e.Action, ".", "_"))
	}
	return ""
}

// siteName is the name of client id, looked up once per page; a deleted client shows its id.
func (h *Handler) siteName(ctx context.Context, id string, names map[string]string) string {
	if n, ok := names[id]; ok {
		return n
	}
	n := id
	if h.OIDC != nil && h.OIDC.Clients != nil {
		if c, err := h.OIDC.Clients.Get(ctx, id); err == nil && c.Name != "" {
			n = c.Name
		}
	}
	names[id] = n
	return n
}

// revokeSite withdraws the citizen's consent for a site and ends its tokens.
func (h *Handler) revokeSite(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, err := h.current(r)
	if errors.Is(err, session.ErrInvalid) {
		h.endSessionIfSent(w, r)
		seeOther(w, r, "/login")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	err = h.OIDC.RevokeConsent(r.Context(), sess.AccountID, r.PostForm.Get("client_id"))
	switch {
	case errors.Is(err, store.ErrNotFound): // revoked already, e.g. in another tab
		seeOther(w, r, "/cabinet")
	case err != nil:
		h.internal(w, r, err)
	default:
		seeOther(w, r, "/cabinet?revoked=1")
	}
}
