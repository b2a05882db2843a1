package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

// newStatic returns the versioned URL of every static file (its content hash in the query)
// and the handler serving them.
func newStatic() (map[string]string, http.Handler, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, nil, err
	}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		return nil, nil, err
	}
	urls := make(map[string]string, len(entries))
	for _, e := range entries {
		b, err := fs.ReadFile(sub, e.Name())
		if err != nil {
			return nil, nil, err
		}
		sum := sha256.Sum256(b)
		urls[e.Name()] = "/static/" + e.Name() + "?v=" + hex.EncodeToString(sum[:6])
	}
	return urls, http.StripPrefix("/static/", http.FileServerFS(sub)), nil
}

// serveStatic serves the embedded CSS and JavaScript. A request for the current version is
// cached for a year; any other is revalidated. Directories are not listed.
func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	current, ok := h.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.URL.RequestURI() == current {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	h.static.ServeHTTP(w, r)
}
