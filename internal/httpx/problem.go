package httpx

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/civis-id/civis/internal/pow"
)

// FieldError is one entry of a problem's errors array.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem document with Civis's stable machine code.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Code   string       `json:"code"`
	Errors []FieldError `json:"errors,omitempty"`
	// PoW is the proof-of-work challenge to solve (pow_required only).
	PoW *pow.Challenge `json:"pow,omitempty"`

	retryAfter time.Duration
}

// codes maps machine codes to status and title.
var codes = map[string]struct {
	status int
	title  string
}{
	"validation_failed":          {http.StatusUnprocessableEntity, "The input is not valid"},
	"password_too_weak":          {http.StatusUnprocessableEntity, "The password is too weak"},
	"malformed_json":             {http.StatusBadRequest, "The body is not valid JSON"},
	"unsupported_media_type":     {http.StatusUnsupportedMediaType, "The body must be application/json"},
	"body_too_large":             {http.StatusRequestEntityTooLarge, "The body is too large"},
	"registration_not_found":     {http.StatusNotFound, "No such registration"},
	"registration_expired":       {http.StatusGone, "The registration has expired; start again"},
	"registration_completed":     {http.StatusConflict, "The registration is already completed"},
	"contacts_not_confirmed":     {http.StatusConflict, "Confirm a contact first"},
	"code_invalid":               {http.StatusUnprocessableEntity, "The code is not correct"},
	"code_expired":               {http.StatusUnprocessableEntity, "The code has expired; ask for a new one"},
	"code_attempts_exceeded":     {http.StatusUnprocessableEntity, "Too many wrong codes; ask for a new one"},
	"contact_already_registered": {http.StatusConflict, "This contact already belongs to an account"},
	"invalid_credentials":        {http.StatusUnauthorized, "Wrong login or password"},
	"rate_limited":               {http.StatusTooManyRequests, "Too many attempts; try again later"},
	"unauthorized":               {http.StatusUnauthorized, "Sign in first"},
	"password_change_required":   {http.StatusForbidden, "Change the temporary password first"},
	"cross_origin_refused":       {http.StatusForbidden, "Cross-origin request refused"},
	"not_found":                  {http.StatusNotFound, "Not found"},
	"client_exists":              {http.StatusConflict, "A client with this id already exists"},
	"client_has_no_secret":       {http.StatusConflict, "This client does not use a secret"},
	"field_locked":               {http.StatusConflict, "The data are being checked and cannot change now"},
	"snils_taken":                {http.StatusConflict, "This SNILS is verified on another account"},
	"nothing_to_check":           {http.StatusConflict, "Nothing has changed since the last check"},
	"check_in_progress":          {http.StatusConflict, "The data are already being checked"},
	"method_not_allowed":         {http.StatusMethodNotAllowed, "Method not allowed"},
	"invalid_client":             {http.StatusUnauthorized, "The client assertion is missing or not valid"},
	"forbidden":                  {http.StatusForbidden, "This client or account may not do this"},
	"request_id_invalid":         {http.StatusUnprocessableEntity, "request_id must be 1-100 visible ASCII characters"},
	"request_id_reused":          {http.StatusConflict, "This request_id was already used for another request"},
	"request_not_found":          {http.StatusNotFound, "No request with this request_id"},
	"internal_error":             {http.StatusInternalServerError, "Something went wrong on our side"},
	"unavailable":                {http.StatusServiceUnavailable, "The service is temporarily unavailable"},
	"pow_required":               {http.StatusPreconditionRequired, "Solve the proof-of-work challenge first"},
	"reauth_required":            {http.StatusForbidden, "Confirm your password first"},
	"login_not_found":            {http.StatusNotFound, "No such sign-in"},
	"login_expired":              {http.StatusGone, "The sign-in has expired; sign in again"},
	"login_attempts_exceeded":    {http.StatusUnprocessableEntity, "Too many wrong codes; sign in again"},
	"totp_already_enabled":       {http.StatusConflict, "An authenticator app is already set up"},
	"totp_not_started":           {http.StatusConflict, "Start setting up the authenticator app first"},
	"phone_required":             {http.StatusConflict, "Confirm a mobile phone first"},
	"passkey_invalid":            {http.StatusUnprocessableEntity, "The passkey could not be verified"},
	"recovery_not_found":         {http.StatusNotFound, "No such recovery"},
	"recovery_expired":           {http.StatusGone, "The recovery has expired; start again"},
	"recovery_completed":         {http.StatusConflict, "The recovery is already completed"},
	"recovery_wrong_step":        {http.StatusConflict, "This is not the recovery's current step"},
	"recovery_failed":            {http.StatusConflict, "Too many wrong answers; start the recovery again"},
	"answer_invalid":             {http.StatusUnprocessableEntity, "The answer is not correct"},
	"identifier_invalid":         {http.StatusUnprocessableEntity, "The document does not match the account"},
	"contact_change_not_found":   {http.StatusNotFound, "No such contact change"},
	"contact_change_expired":     {http.StatusGone, "The contact change has expired; start again"},
	"account_not_found":          {http.StatusNotFound, "No account with these data"},
	"account_exists":             {http.StatusConflict, "An account with these data exists; confirm it instead"},
	"not_standard":               {http.StatusConflict, "The account's data are not verified yet"},
	"account_confirmed":          {http.StatusConflict, "The account is already confirmed"},
	"data_mismatch":              {http.StatusConflict, "The data differ from the account's verified data"},
	"standard_level_required":    {http.StatusConflict, "Only a standard account can do this"},
	"already_confirmed":          {http.StatusConflict, "The account is already confirmed"},
	"letter_not_sent":            {http.StatusConflict, "No letter with a code is on its way"},
	"letter_too_soon":            {http.StatusTooManyRequests, "A letter was ordered less than a day ago"},
	"letter_limit":               {http.StatusTooManyRequests, "Too many letters ordered in 30 days"},
	"checks_running":             {http.StatusConflict, "Registry checks are still running; wait for the result"},
	"check_failed":               {http.StatusConflict, "A registry check failed; the data must be corrected"},
	"passport_mismatch":          {http.StatusUnprocessableEntity, "The passport number differs from the verified passport"},
	"duplicate_confirmed":        {http.StatusConflict, "The account to remove is confirmed; keep it instead"},
	"not_same_person":            {http.StatusConflict, "The accounts are not provably the same person"},
	"activation_invalid":         {http.StatusGone, "The activation link is not valid or has expired"},
}

// NewProblem returns the problem for a machine code.
func NewProblem(code, detail string) *Problem {
	c, ok := codes[code]
	if !ok {
		c = codes["internal_error"]
	}
	return &Problem{Type: "https://civis.example/problems/" + code, Title: c.title, Status: c.status, Detail: detail, Code: code}
}

// WriteProblem writes p as application/problem+json.
func WriteProblem(w http.ResponseWriter, p *Problem) {
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(p.retryAfter.Seconds()))))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// WriteError writes the problem for err, logging unexpected errors with the request id only.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p, known := ProblemFor(err)
	if !known {
		log.ErrorContext(r.Context(), "request failed", "request_id", RequestID(r.Context()), "err", err)
	}
	WriteProblem(w, p)
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
