package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/partner"
)

// TestOpenAPIPartnerSchemas keeps the partner API's schemas in step with their Go structs, as
// TestOpenAPISchemasMatchStructs does for the rest, and checks that its operations require the
// client assertion and document 401 and 403.
func TestOpenAPIPartnerSchemas(t *testing.T) {
	doc := loadDocument(t)
	for name, v := range map[string]any{
		"PartnerConfirmationRequest": partnerConfirmRequest{},
		"PartnerRegistrationRequest": partnerRegistrationRequest{},
		"PartnerResult":              partner.Result{},
		"PartnerRequestEntry":        partnerRequestEntry{},
	} {
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
		if strings.HasSuffix(name, "Request") && schema["additionalProperties"] != false {
			t.Errorf("schema %s must set additionalProperties: false", name)
		}
	}
	n := 0
	for _, o := range doc.operations(t) {
		if !strings.HasPrefix(o.path, "/api/v1/partner/") {
			continue
		}
		n++
		sec, _ := json.Marshal(o.op["security"])
		if string(sec) != `[{"clientAssertion":[]}]` {
			t.Errorf("%s %s must require the client assertion, has security %s", o.method, o.path, sec)
		}
		for _, status := range []string{"401", "403"} {
			if _, ok := o.op["responses"].(map[string]any)[status]; !ok {
				t.Errorf("%s %s must document %s", o.method, o.path, status)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d partner operations documented, want 3", n)
	}
}
