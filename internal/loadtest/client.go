package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RequestTimeout bounds every request a Client makes.
const RequestTimeout = 30 * time.Second

// Client calls the JSON API of a running Civis server.
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:8080, without a trailing slash
	HTTP    *http.Client
}

// NewClient returns a client for the server at baseURL that keeps up to conns connections
// open, so that conns workers reuse theirs instead of dialing for every request.
func NewClient(baseURL string, conns int) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: want http(s)://host:port", baseURL)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost, t.MaxConnsPerHost = 0, max(conns, 1), 0
	return &Client{BaseURL: strings.TrimSuffix(baseURL, "/"), HTTP: &http.Client{Transport: t, Timeout: RequestTimeout}}, nil
}

// APIError is an answer outside 2xx; Code is the problem's machine code when the server sent one.
type APIError struct {
	Method, Path string
	Status       int
	Code, Detail string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s: %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// PostJSON posts in as JSON to path and decodes a 2xx answer into out (unless out is nil).
func (c *Client) PostJSON(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.Do(req, out)
}

// GetJSON gets path and decodes a 2xx answer into out.
func (c *Client) GetJSON(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+path, nil)
	if err != nil {
		return err
	}
	return c.Do(req, out)
}

// Do sends req asking for JSON and decodes a 2xx answer into out (unless out is nil); any other
// status is an *APIError. The body is always read to the end so the connection is reused.
func (c *Client) Do(req *http.Request, out any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &APIError{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode}
		var p struct{ Code, Detail string }
		if json.Unmarshal(data, &p) == nil {
			e.Code, e.Detail = p.Code, p.Detail
		}
		return e
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", req.Method, req.URL.Path, err)
	}
	return nil
}
