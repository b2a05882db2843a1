package api

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/adminapi"
	"github.com/civis-id/civis/internal/devoutbox"
	"github.com/civis-id/civis/internal/httpx"
)

// The OpenAPI document is the contract of the JSON API; these tests keep it in step with the
// routes, the request and response structs, and httpx's problem codes.

// sampleID fills path parameters when a documented path is turned into a request.
const sampleID = "01a2043c-dbb0-7541-9435-47accb8e5b85"

// appRoutes are the documented paths that package app (health, metrics) or devoutbox serves.
var appRoutes = []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /dev/outbox"}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

type document map[string]any

func loadDocument(t *testing.T) document {
	t.Helper()
	var doc document
	if err := json.Unmarshal(openapi, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

// resolve follows a local $ref ("#/components/...") until it reaches a node without one.
func (d document) resolve(t *testing.T, node any) map[string]any {
	t.Helper()
	for range 10 {
		m, ok := node.(map[string]any)
		if !ok {
			t.Fatalf("not an object: %v", node)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		node = d.pointer(t, ref)
	}
	t.Fatalf("$ref chain too long at %v", node)
	return nil
}

func (d document) pointer(t *testing.T, ref string) any {
	t.Helper()
	if !strings.HasPrefix(ref, "#/") {
		t.Fatalf("$ref %q is not local", ref)
	}
	var node any = map[string]any(d)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := node.(map[string]any)
		if !ok || m[part] == nil {
			t.Fatalf("$ref %q does not resolve", ref)
		}
		node = m[part]
	}
	return node
}

// operation is one documented method on one path.
type operation struct {
	method, path string
	op           map[string]any
}

func (d document) operations(t *testing.T) []operation {
	t.Helper()
	paths, ok := d["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		t.Fatal("the document has no paths")
	}
	var out []operation
	for path, item := range paths {
		for _, m := range httpMethods {
			if op, ok := item.(map[string]any)[m].(map[string]any); ok {
				out = append(out, operation{strings.ToUpper(m), path, op})
			}
		}
	}
	slices.SortFunc(out, func(a, b operation) int { return strings.Compare(a.path+a.method, b.path+b.method) })
	return out
}

func TestOpenAPIDocumentParses(t *testing.T) {
	doc := loadDocument(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Errorf("info needs title and version: %v", info)
	}
	// Every $ref anywhere in the document resolves.
	var walk func(any)
	walk = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			if ref, ok := n["$ref"].(string); ok {
				doc.pointer(t, ref)
			}
			for _, v := range n {
				walk(v)
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(map[string]any(doc))
}

func TestOpenAPIIsServed(t *testing.T) {
	mux := http.NewServeMux()
	(&Handler{}).Mount(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != string(openapi) {
		t.Errorf("GET /api/v1/openapi.json = %d %q, want the embedded document", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// apiSources are the files whose Handler.Mount registers documented routes: this package's
// and the admin API's.
var apiSources = []string{"api.go", filepath.Join("..", "adminapi", "adminapi.go")}

// mountedPatterns reads the patterns that Handler.Mount registers from its source.
func mountedPatterns(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "Mount" || fn.Recv == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			lit, isLit := call.Args[0].(*ast.BasicLit)
			if ok && isLit && (sel.Sel.Name == "HandleFunc" || sel.Sel.Name == "Handle") {
				p, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, p)
			}
			return true
		})
	}
	if len(out) == 0 {
		t.Fatalf("found no routes in Handler.Mount in %s", file)
	}
	return out
}

func requestFor(method, path string) *http.Request {
	return httptest.NewRequest(method, strings.ReplaceAll(path, "{id}", sampleID), nil)
}

// apiMux serves what a node with the admin API enabled serves under /api/.
func apiMux() *http.ServeMux {
	mux := http.NewServeMux()
	(&Handler{}).Mount(mux)
	adminapi.New("admin-token", nil, nil).Mount(mux)
	return mux
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc := loadDocument(t)
	mux := apiMux()
	(&devoutbox.Handler{}).Mount(mux)

	documented := map[string]bool{}
	for _, o := range doc.operations(t) {
		key := o.method + " " + o.path
		documented[key] = true
		if slices.Contains(appRoutes, key) {
			continue
		}
		if !strings.HasPrefix(o.path, "/api/v1/") {
			t.Errorf("%s: not an API route and not one of %v", key, appRoutes)
			continue
		}
		// The documented path and method reach their own pattern, not the /api/ fallback.
		if _, pattern := mux.Handler(requestFor(o.method, o.path)); pattern != key {
			t.Errorf("%s is served by pattern %q", key, pattern)
		}
	}
	// Every route Mount registers is documented.
	for _, file := range apiSources {
		for _, p := range mountedPatterns(t, file) {
			if p == "/api/" {
				continue // the not_found fallback, described in info.description
			}
			if !documented[p] {
				t.Errorf("route %q (%s) is mounted but not documented", p, file)
			}
		}
	}
	// The routes outside the API exist where the document says.
	if _, pattern := mux.Handler(requestFor("GET", "/dev/outbox")); pattern != "GET /dev/outbox" {
		t.Errorf("GET /dev/outbox is served by %q", pattern)
	}
	appSrc := readSources(t, filepath.Join("..", "app"))
	for _, r := range appRoutes {
		if !documented[r] {
			t.Errorf("%s is not documented", r)
		}
		if r != "GET /dev/outbox" && !strings.Contains(appSrc, strconv.Quote(r)) {
			t.Errorf("%s is documented but package app does not register it", r)
		}
	}
}

// TestOpenAPIWrongMethodIsNotFound backs the document's statement that a known path with
// another method answers 404 not_found.
func TestOpenAPIWrongMethodIsNotFound(t *testing.T) {
	doc := loadDocument(t)
	mux := apiMux()
	byPath := map[string][]string{}
	for _, o := range doc.operations(t) {
		byPath[o.path] = append(byPath[o.path], o.method)
	}
	for path, methods := range byPath {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if slices.Contains(methods, m) {
				continue
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, requestFor(m, path))
			var p httpx.Problem
			_ = json.Unmarshal(rec.Body.Bytes(), &p)
			if rec.Code != 404 || p.Code != "not_found" {
				t.Errorf("%s %s = %d %q, want 404 not_found", m, path, rec.Code, p.Code)
			}
		}
	}
}

func readSources(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources in %s: %v", dir, err)
	}
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(src)
	}
	return b.String()
}

// problemCodes reads the keys of the codes table in httpx/problem.go, so that the document's
// enum can be compared with it without exporting the table.
func problemCodes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "httpx", "problem.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "codes" || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		for _, e := range lit.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.BasicLit); ok {
					code, _ := strconv.Unquote(k.Value)
					out = append(out, code)
				}
			}
		}
		return false
	})
	if len(out) == 0 {
		t.Fatal("found no codes table in httpx/problem.go")
	}
	slices.Sort(out)
	return out
}

// knownCode reports whether httpx knows code: an unknown code becomes internal_error (500).
func knownCode(code string) bool {
	return code == "internal_error" || httpx.NewProblem(code, "").Status != http.StatusInternalServerError
}

func TestOpenAPIProblemCodes(t *testing.T) {
	doc := loadDocument(t)
	problem := doc.resolve(t, map[string]any{"$ref": "#/components/schemas/Problem"})
	enum := stringList(doc.resolve(t, problem["properties"].(map[string]any)["code"])["enum"])
	slices.Sort(enum)
	for _, c := range enum {
		if !knownCode(c) {
			t.Errorf("Problem.code enum lists %q, which httpx does not know", c)
		}
	}
	if want := problemCodes(t); !slices.Equal(enum, want) {
		t.Errorf("Problem.code enum = %v\nhttpx codes     = %v", enum, want)
	}

	seen := 0
	for _, o := range doc.operations(t) {
		responses, _ := o.op["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s %s has no responses", o.method, o.path)
		}
		for status, r := range responses {
			resp := doc.resolve(t, r)
			content, _ := resp["content"].(map[string]any)
			media, ok := content["application/problem+json"].(map[string]any)
			if !ok {
				continue
			}
			where := o.method + " " + o.path + " " + status
			codes := documentedCodes(t, doc, media)
			if len(codes) == 0 {
				t.Errorf("%s: a problem response without its codes", where)
			}
			for _, c := range codes {
				seen++
				p := httpx.NewProblem(c, "")
				if !knownCode(c) {
					t.Errorf("%s documents code %q, which httpx does not know", where, c)
				} else if strconv.Itoa(p.Status) != status {
					t.Errorf("%s documents code %q, which httpx answers with %d", where, c, p.Status)
				}
			}
			checkProblemExamples(t, where, status, media)
		}
	}
	if seen == 0 {
		t.Fatal("no problem responses found")
	}
}

// documentedCodes returns the codes a problem response's schema narrows Problem to (allOf:
// Problem plus an enum of codes).
func documentedCodes(t *testing.T, doc document, media map[string]any) []string {
	schema := doc.resolve(t, media["schema"])
	all, _ := schema["allOf"].([]any)
	var codes []string
	for _, part := range all {
		if _, isRef := part.(map[string]any)["$ref"]; isRef {
			continue // the Problem schema itself, with every code
		}
		props, _ := doc.resolve(t, part)["properties"].(map[string]any)
		if code, ok := props["code"].(map[string]any); ok && code["enum"] != nil {
			codes = append(codes, stringList(code["enum"])...)
		}
	}
	return codes
}

// checkProblemExamples: each example is what httpx writes for its code, with the response's
// status.
func checkProblemExamples(t *testing.T, where, status string, media map[string]any) {
	t.Helper()
	examples, _ := media["examples"].(map[string]any)
	if len(examples) == 0 {
		t.Errorf("%s: no examples", where)
	}
	for name, ex := range examples {
		raw, _ := json.Marshal(ex.(map[string]any)["value"])
		var got httpx.Problem
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Errorf("%s example %s: %v", where, name, err)
			continue
		}
		want := httpx.NewProblem(got.Code, "")
		if !knownCode(got.Code) || got.Type != want.Type || got.Title != want.Title ||
			got.Status != want.Status || strconv.Itoa(got.Status) != status {
			t.Errorf("%s example %s = %+v, want type %q, title %q, status %d", where, name, got, want.Type, want.Title, want.Status)
		}
	}
}

func stringList(v any) []string {
	var out []string
	for _, x := range asSlice(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// TestOpenAPISchemasMatchStructs keeps the request and response schemas in step with the Go
// structs that decode and encode them.
func TestOpenAPISchemasMatchStructs(t *testing.T) {
	doc := loadDocument(t)
	for name, v := range map[string]any{
		"RegistrationRequest": registrationRequest{},
		"ConfirmRequest":      confirmRequest{},
		"ResendRequest":       resendRequest{},
		"PasswordRequest":     passwordRequest{},
		"LoginRequest":        loginRequest{},
		"Registration":        registrationResponse{},
		"PasswordResult":      passwordResponse{},
		"Session":             loginResponse{},
		"Account":             meResponse{},
		"Contact":             contactBody{},
		"NextLevel":           nextLevelBody{},
		"Problem":             httpx.Problem{},
		"FieldError":          httpx.FieldError{},
		"ClientRequest":       adminapi.ClientRequest{},
		"Client":              adminapi.Client{},
		"ClientList":          adminapi.ClientList{},
		"ClientSecret":        adminapi.Secret{},
	} {
		schema := checkSchemaFields(t, doc, name, v)
		if strings.HasSuffix(name, "Request") && schema["additionalProperties"] != false {
			t.Errorf("schema %s must set additionalProperties: false (unknown fields are refused)", name)
		}
	}
	// Every operation with a body uses one of the request schemas above.
	for _, o := range doc.operations(t) {
		rb, ok := o.op["requestBody"].(map[string]any)
		if !ok {
			if o.method == "POST" && !slices.Contains(bodilessPosts, o.method+" "+o.path) {
				t.Errorf("%s %s has no requestBody", o.method, o.path)
			}
			continue
		}
		media, _ := rb["content"].(map[string]any)["application/json"].(map[string]any)
		if file, ok := rb["content"].(map[string]any)["text/csv"].(map[string]any); ok && media == nil {
			if rb["required"] != true || file["schema"] == nil || file["example"] == nil {
				t.Errorf("%s %s: a CSV requestBody must be required and have a schema and an example", o.method, o.path)
			}
			continue // a file upload (the centers import) has no JSON schema
		}
		ref, _ := media["schema"].(map[string]any)["$ref"].(string)
		if !strings.HasSuffix(ref, "Request") || rb["required"] != true || media["example"] == nil {
			t.Errorf("%s %s: requestBody must be required, refer to a *Request schema and have an example", o.method, o.path)
		}
	}
}

// bodilessPosts are the POST operations that take no body.
var bodilessPosts = []string{"POST /api/v1/admin/clients/{id}/secret",
	// sign-in and second factors
	"POST /api/v1/sessions/{id}/sms", "POST /api/v1/sessions/{id}/passkey", "POST /api/v1/passkeys/login/begin",
	"POST /api/v1/me/second-factors/sms", "POST /api/v1/me/totp", "POST /api/v1/me/recovery-codes",
	"POST /api/v1/me/passkeys/register/begin"}

// jsonFields lists the JSON names of t's exported fields.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIOperationsAreDescribed: every operation has a summary, a description and an
// example for each answer with a body.
func TestOpenAPIOperationsAreDescribed(t *testing.T) {
	doc := loadDocument(t)
	for _, o := range doc.operations(t) {
		where := o.method + " " + o.path
		if s, _ := o.op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", where)
		}
		if s, _ := o.op["description"].(string); s == "" {
			t.Errorf("%s: no description", where)
		}
		for status, r := range o.op["responses"].(map[string]any) {
			content, _ := doc.resolve(t, r)["content"].(map[string]any)
			for mt, m := range content {
				m := m.(map[string]any)
				if m["schema"] == nil || (m["example"] == nil && m["examples"] == nil) {
					t.Errorf("%s %s %s: needs a schema and an example", where, status, mt)
				}
			}
		}
	}
	for _, path := range []string{"/api/v1/me", "/api/v1/sessions/current"} {
		for _, o := range doc.operations(t) {
			if o.path == path && o.op["security"] == nil {
				t.Errorf("%s %s must require the bearer session token", o.method, o.path)
			}
		}
	}
	for _, o := range doc.operations(t) {
		if !strings.HasPrefix(o.path, "/api/v1/admin/") {
			continue
		}
		sec, _ := json.Marshal(o.op["security"])
		if string(sec) != `[{"adminToken":[]}]` {
			t.Errorf("%s %s must require the admin token, has security %s", o.method, o.path, sec)
		}
		if _, ok := o.op["responses"].(map[string]any)["401"]; !ok {
			t.Errorf("%s %s must document 401", o.method, o.path)
		}
	}
}

// checkSchemaFields fails unless the named schema's properties are exactly the json fields of
// v's struct type, and returns the schema for further checks.
func checkSchemaFields(t *testing.T, doc document, name string, v any) map[string]any {
	t.Helper()
	schema := doc.resolve(t, map[string]any{"$ref": "#/components/schemas/" + name})
	props, _ := schema["properties"].(map[string]any)
	var got []string
	for p := range props {
		got = append(got, p)
	}
	slices.Sort(got)
	if want := jsonFields(reflect.TypeOf(v)); !slices.Equal(got, want) {
		t.Errorf("schema %s has properties %v, struct %T has %v", name, got, v, want)
	}
	return schema
}
