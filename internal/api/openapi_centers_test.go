package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/adminapi"
)

// TestOpenAPICenterSchemas keeps the service-center schemas in step with their Go structs, as
// TestOpenAPISchemasMatchStructs does for the rest.
func TestOpenAPICenterSchemas(t *testing.T) {
	doc := loadDocument(t)
	for name, v := range map[string]any{
		"Center":             centerItem{},
		"CenterList":         centerList{},
		"CenterRequest":      adminapi.CenterRequest{},
		"AdminCenter":        adminapi.Center{},
		"AdminCenterList":    adminapi.CenterList{},
		"CenterImportResult": adminapi.ImportResult{},
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
}
