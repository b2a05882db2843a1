package devoutbox

import (
	"bytes"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/notify"
)

// Handler serves GET /dev/outbox: a JSON array of messages, newest first (filter ?to=), or,
// for a browser asking for HTML, a page showing the same.
type Handler struct {
	Store  Store
	Logger *slog.Logger
}

// Mount registers the route.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /dev/outbox", h.serve)
}

type messageJSON struct {
	ID        string `json:"id"`
	Channel   string `json:"channel"`
	To        string `json:"to"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	msgs, err := h.Store.DevMessages(r.Context(), normalizeTo(r.URL.Query().Get("to")), 200)
	if err != nil {
		h.Logger.Error("dev outbox", "err", err)
		http.Error(w, "dev outbox unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if wantsHTML(r) {
		h.page(w, msgs)
		return
	}
	out := make([]messageJSON, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, messageJSON{ID: m.ID, Channel: string(m.Channel), To: m.To, Subject: m.Subject,
			Body: m.Body, CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339)})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// normalizeTo reads the recipient filter the way Civis stores recipients: a phone in any
// common format becomes E.164, an email is lower-cased.
func normalizeTo(to string) string {
	to = strings.TrimSpace(to)
	if p, err := ident.NormalizePhone(to); err == nil {
		return p
	}
	if e, err := ident.NormalizeEmail(to); err == nil {
		return e
	}
	return to
}

// wantsHTML is true when the client prefers HTML to JSON (a browser), unless ?format=json.
func wantsHTML(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "html"
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "text/html") && !strings.Contains(accept, "application/json")
}

var pageTmpl = template.Must(template.New("outbox").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev outbox — Civis</title><link rel="stylesheet" href="/static/civis.css"></head>
<body><main class="page"><h1>Dev outbox</h1>
<p>Messages Civis would have sent (development mode only). Newest first.</p>
<form method="get" action="/dev/outbox"><label for="to">Recipient</label>
<input id="to" name="to" type="text" autocomplete="off"> <button type="submit">Filter</button></form>
{{range .}}<article class="message" id="msg-{{.ID}}"><h2>{{.Channel}} to <span class="to">{{.To}}</span></h2>
<p class="meta"><time datetime="{{.CreatedAt.Format "2006-01-02T15:04:05Z07:00"}}">{{.CreatedAt.Format "2006-01-02 15:04:05 MST"}}</time>{{if .Subject}} · {{.Subject}}{{end}}</p>
<pre class="body">{{.Body}}</pre></article>
{{else}}<p>No messages yet.</p>{{end}}
</main></body></html>`))

func (h *Handler) page(w http.ResponseWriter, msgs []notify.Message) {
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, msgs); err != nil {
		h.Logger.Error("dev outbox page", "err", err)
		http.Error(w, "dev outbox unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}
