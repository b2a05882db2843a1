package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

// MaxBody is the largest JSON body the APIs accept.
const MaxBody = 64 << 10

// DecodeJSON reads a JSON object body into v (a pointer to a struct with json tags). It
// returns a problem for a wrong content type (415), an oversize body (413), malformed JSON
// (400), or fields of the wrong type and unknown fields (422, field-level).
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) *Problem {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return NewProblem("unsupported_media_type", "send Content-Type: application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			return NewProblem("malformed_json", "the body must hold exactly one JSON object")
		}
		return nil
	}
	return decodeProblem(err)
}

func decodeProblem(err error) *Problem {
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return NewProblem("body_too_large", "the body must be at most 64 KiB")
	case errors.As(err, &typeErr):
		p := NewProblem("validation_failed", "")
		field := typeErr.Field
		if field == "" {
			return NewProblem("malformed_json", "the body must be a JSON object")
		}
		p.Errors = []FieldError{{Field: field, Code: "wrong_type", Message: "expected " + kindName(typeErr.Type)}}
		return p
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		p := NewProblem("validation_failed", "")
		p.Errors = []FieldError{{Field: name, Code: "unknown_field", Message: "this field is not accepted"}}
		return p
	}
	return NewProblem("malformed_json", "the body is not valid JSON")
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a number"
}
