package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/civis-id/civis/internal/ident"
	"github.com/google/uuid"
)

// Limits on what is read from a gateway response.
const (
	maxResponse = 64 << 10 // a check answer
	maxDrain    = 64 << 10 // read and discarded so the connection can be reused
)

// wirePerson is a [Person] on the wire.
type wirePerson struct {
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name,omitempty"`
	BirthDate  string `json:"birth_date"`
	Gender     string `json:"gender,omitempty"`
}

// wireDocument is a [Document] on the wire.
type wireDocument struct {
	Type         string `json:"type"`
	Series       string `json:"series,omitempty"`
	Number       string `json:"number"`
	IssueDate    string `json:"issue_date,omitempty"`
	Issuer       string `json:"issuer,omitempty"`
	DivisionCode string `json:"division_code,omitempty"`
	Country      string `json:"country,omitempty"`
	ExpiryDate   string `json:"expiry_date,omitempty"`
}

// The request bodies of the three checks.
type (
	snilsRequest struct {
		RequestID string     `json:"request_id"`
		Person    wirePerson `json:"person"`
		SNILS     string     `json:"snils"`
	}
	documentRequest struct {
		RequestID string       `json:"request_id"`
		Person    wirePerson   `json:"person"`
		Document  wireDocument `json:"document"`
	}
	innRequest struct {
		RequestID string     `json:"request_id"`
		Person    wirePerson `json:"person"`
		INN       string     `json:"inn"`
	}
)

// wireResult is the body of a 200 answer.
type wireResult struct {
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason"`
	INN     string  `json:"inn"`
}

// CheckSNILS asks the gateway's pension fund check.
func (h *HTTP) CheckSNILS(ctx context.Context, p Person, snils string) (Result, error) {
	if err := checkPerson(p); err != nil {
		return Result{}, rejected(NameSNILS, err)
	}
	n, err := ident.NormalizeSNILS(snils)
	if err != nil {
		return Result{}, rejected(NameSNILS, err)
	}
	body := snilsRequest{RequestID: newRequestID(), Person: toWire(p), SNILS: n}
	res, err := h.post(ctx, NameSNILS, pathSNILS, body.RequestID, body)
	return Result{Outcome: res.Outcome, Reason: res.Reason}, err
}

// CheckDocument asks the gateway's interior ministry check.
func (h *HTTP) CheckDocument(ctx context.Context, p Person, d Document) (Result, error) {
	if err := checkPerson(p); err != nil {
		return Result{}, rejected(NameDocument, err)
	}
	d, err := ParseDocument(d)
	if err != nil {
		return Result{}, rejected(NameDocument, err)
	}
	body := documentRequest{RequestID: newRequestID(), Person: toWire(p), Document: documentToWire(d)}
	res, err := h.post(ctx, NameDocument, pathDocument, body.RequestID, body)
	return Result{Outcome: res.Outcome, Reason: res.Reason}, err
}

// CheckINN asks the gateway's tax service check. A verified answer carries
// the registry's INN (the one asked about when the gateway omits it).
func (h *HTTP) CheckINN(ctx context.Context, p Person, inn string) (Result, error) {
	if err := checkPerson(p); err != nil {
		return Result{}, rejected(NameINN, err)
	}
	n, err := normalizePersonINN(inn)
	if err != nil {
		return Result{}, rejected(NameINN, err)
	}
	body := innRequest{RequestID: newRequestID(), Person: toWire(p), INN: n}
	res, err := h.post(ctx, NameINN, pathINN, body.RequestID, body)
	if err != nil || res.Outcome != Verified {
		return res, err
	}
	if res.INN == "" {
		res.INN = n
	}
	if v, err := normalizePersonINN(res.INN); err != nil || v == "" {
		return Result{}, fmt.Errorf("%s: answer has no valid inn: %w", NameINN, ErrUnavailable)
	}
	return res, nil
}

// newRequestID returns a fresh UUIDv7 for one attempt.
func newRequestID() string {
	return uuid.Must(uuid.NewV7()).String()
}

func toWire(p Person) wirePerson {
	return wirePerson{
		LastName: strings.TrimSpace(p.LastName), FirstName: strings.TrimSpace(p.FirstName),
		MiddleName: strings.TrimSpace(p.MiddleName), BirthDate: formatDate(p.BirthDate), Gender: p.Gender,
	}
}

func documentToWire(d Document) wireDocument {
	return wireDocument{
		Type: d.Type, Series: d.Series, Number: d.Number, IssueDate: formatDate(d.IssueDate),
		Issuer: d.Issuer, DivisionCode: d.DivisionCode, Country: d.Country, ExpiryDate: formatDate(d.ExpiryDate),
	}
}

// post sends one check and classifies the answer. Errors name the registry
// and the status, never a value from the request.
func (h *HTTP) post(ctx context.Context, name, path, requestID string, body any) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	req, err := h.newRequest(ctx, path, requestID, body)
	if err != nil {
		return Result{}, fmt.Errorf("%s: build request: %w", name, err)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w: %w", name, ErrUnavailable, err)
	}
	defer closeBody(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return Result{}, statusError(name, resp)
	}
	res, err := decodeResult(resp.Body)
	if err != nil {
		return Result{}, fmt.Errorf("%s: unusable answer: %w: %w", name, ErrUnavailable, err)
	}
	return res, nil
}

// newRequest builds the POST request of one check.
func (h *HTTP) newRequest(ctx context.Context, path, requestID string, body any) (*http.Request, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Request-ID", requestID)
	if h.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.cfg.Token)
	}
	return req, nil
}

// decodeResult reads a 200 answer: at most maxResponse bytes of JSON with
// a known outcome and, for not_verified, a reason code.
func decodeResult(body io.Reader) (Result, error) {
	raw, err := io.ReadAll(io.LimitReader(body, maxResponse+1))
	if err != nil {
		return Result{}, err
	}
	if len(raw) > maxResponse {
		return Result{}, errors.New("answer too large")
	}
	var w wireResult
	if err := json.Unmarshal(raw, &w); err != nil {
		return Result{}, errors.New("answer is not the json of a result")
	}
	switch w.Outcome {
	case Verified:
		return Result{Outcome: Verified, INN: w.INN}, nil
	case NotVerified:
		if !reasonCode.MatchString(w.Reason) {
			return Result{}, errors.New("not_verified answer without a reason code")
		}
		return notVerified(w.Reason), nil
	}
	return Result{}, errors.New("answer has no known outcome")
}

// reasonCode matches the machine codes a gateway may give as a reason or an
// error code: short, lower case, no personal data.
var reasonCode = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// statusError classifies a non-200 answer: 408, 409, 425, 429, 5xx and
// anything not 4xx are ErrUnavailable; other 4xx are ErrRejected. The text
// carries the status and, if the body holds one, the gateway's error code.
func statusError(name string, resp *http.Response) error {
	msg := fmt.Sprintf("%s: status %d", name, resp.StatusCode)
	if code := errorCode(resp.Body); code != "" {
		msg += fmt.Sprintf(" (%s)", code)
	}
	if isPermanentStatus(resp.StatusCode) {
		return fmt.Errorf("%s: %w", msg, ErrRejected)
	}
	return fmt.Errorf("%s: %w", msg, ErrUnavailable)
}

// isPermanentStatus reports whether repeating a request that got code
// cannot succeed.
func isPermanentStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooEarly, http.StatusTooManyRequests:
		return false
	}
	return code >= 400 && code <= 499
}

// errorCode returns the "code" (or "error") member of a JSON error body
// when it is a machine code; anything else in the body is ignored, because
// it may echo personal data.
func errorCode(body io.Reader) string {
	raw, _ := io.ReadAll(io.LimitReader(body, maxResponse))
	var e struct {
		Code  any `json:"code"`
		Error any `json:"error"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return ""
	}
	for _, v := range []any{e.Code, e.Error} {
		if s, ok := v.(string); ok && reasonCode.MatchString(s) {
			return s
		}
	}
	return ""
}

// closeBody drains a bounded amount of body, so that the connection can be
// reused, and closes it.
func closeBody(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	_ = body.Close()
}
