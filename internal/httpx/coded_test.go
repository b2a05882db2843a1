package httpx

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ledger"
)

// The domain errors the APIs answer through ProblemFor.
var (
	_ Coded       = (*flow.ValidationError)(nil)
	_ FieldLister = (*flow.ValidationError)(nil)
	_ Coded       = (*center.ValidationError)(nil)
	_ Coded       = (*center.ImportError)(nil)
	_ Coded       = (*ledger.Rejection)(nil)
	_ Coded       = (*ledger.Failure)(nil)
	_ Coded       = (*ledger.IDError)(nil)
	_ FieldLister = (*center.ValidationError)(nil)
	_ Detailed    = (*center.ImportError)(nil)
	_ FieldLister = (*center.ImportError)(nil)
	_ Detailed    = (*ledger.Rejection)(nil)
	_ FieldLister = (*ledger.Rejection)(nil)
	_ Detailed    = (*ledger.Failure)(nil)
	_ Detailed    = (*ledger.IDError)(nil)
)

func TestProblemFor(t *testing.T) {
	fields := []struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}{{"snils", "required", "this field is required"}}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"validation", &flow.ValidationError{Code: "password_too_weak", Fields: []flow.FieldError{{Field: "password", Code: "short", Message: "m"}}},
			`{"type":"https://civis.example/problems/password_too_weak","title":"The password is too weak","status":422,"code":"password_too_weak","errors":[{"field":"password","code":"short","message":"m"}]}`},
		{"rejection", &ledger.Rejection{Code: "validation_failed", Message: "the input is not valid", Detail: fields},
			`{"type":"https://civis.example/problems/validation_failed","title":"The input is not valid","status":422,"detail":"the input is not valid","code":"validation_failed","errors":[{"field":"snils","code":"required","message":"this field is required"}]}`},
		{"stored refusal", (&ledger.Request{Code: "not_standard", Message: "m", Result: json.RawMessage("null")}).Refusal(),
			`{"type":"https://civis.example/problems/not_standard","title":"The account's data are not verified yet","status":409,"detail":"m","code":"not_standard"}`},
		{"reused", ledger.ErrReused,
			`{"type":"https://civis.example/problems/request_id_reused","title":"This request_id was already used for another request","status":409,"detail":"this request_id was already used for a request with other data; use a new request_id","code":"request_id_reused"}`},
		{"import", &center.ImportError{Rows: []center.RowError{{Row: 2, FieldError: center.FieldError{Field: "name", Code: "required", Message: "m"}}}},
			`{"type":"https://civis.example/problems/validation_failed","title":"The input is not valid","status":422,"detail":"the import was refused and nothing changed; rows are the file's lines, the header is row 1","code":"validation_failed","errors":[{"field":"rows[2].name","code":"required","message":"m"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, known := ProblemFor(tt.err)
			b, _ := json.Marshal(p)
			if !known || string(b) != tt.want {
				t.Errorf("ProblemFor(%v) = %s (known %v), want %s", tt.err, b, known, tt.want)
			}
		})
	}
}

func TestProblemForFailureRetryAfter(t *testing.T) {
	err := &ledger.Failure{Code: "rate_limited", Message: "wait", Status: 429, Err: flow.RateLimited(1500 * time.Millisecond)}
	p, known := ProblemFor(err)
	w := httptest.NewRecorder()
	WriteProblem(w, p)
	if !known || p.Detail != "wait" || w.Code != 429 || w.Header().Get("Retry-After") != "2" {
		t.Errorf("ProblemFor(failure) = %+v (known %v), status %d, Retry-After %q; want rate_limited, detail wait, 429, 2",
			p, known, w.Code, w.Header().Get("Retry-After"))
	}
}
