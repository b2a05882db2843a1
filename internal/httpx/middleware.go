package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Route returns the mux pattern that matched r (for metrics labels), or "unmatched".
func Route(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

// StatusRecorder remembers the status written.
type StatusRecorder struct {
	http.ResponseWriter
	Status int
}

// WriteHeader implements http.ResponseWriter.
func (s *StatusRecorder) WriteHeader(code int) {
	if s.Status == 0 {
		s.Status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (s *StatusRecorder) Write(b []byte) (int, error) {
	if s.Status == 0 {
		s.Status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Observe is told each finished request.
type Observe func(r *http.Request, status int, d time.Duration)

// Logging gives each request an id (X-Request-Id), logs one line per request with method,
// route pattern, status and duration (never the query string or body, which may carry
// personal data), recovers panics as 500, and calls observe.
func Logging(log *slog.Logger, observe Observe, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), ridKey{}, id))
		rec := &StatusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic", "request_id", id, "route", Route(r), "panic", p)
				if rec.Status == 0 {
					WriteProblem(rec, NewProblem("internal_error", ""))
				}
			}
			d := time.Since(start)
			if rec.Status == 0 {
				rec.Status = http.StatusOK
			}
			if log.Enabled(r.Context(), slog.LevelInfo) {
				log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id),
					slog.String("method", r.Method), slog.String("route", Route(r)), slog.Int("status", rec.Status),
					slog.Float64("duration_ms", float64(d.Microseconds())/1000))
			}
			if observe != nil {
				observe(r, rec.Status, d)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// SecurityHeaders sets the headers every answer carries: a strict CSP for pages, no framing,
// no referrer, no sniffing, and HSTS when the public URL is https.
func SecurityHeaders(https bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "+
			"script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
