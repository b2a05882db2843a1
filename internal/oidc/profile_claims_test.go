package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"golang.org/x/oauth2"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/rp"
)

// TestVerifiedDataReleased: after the registries verified the standard-level data, a site
// with the scopes gets them from userinfo, marked verified, and the ID token says standard.
func TestVerifiedDataReleased(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	reg, _ := env.App.Flows.StartRegistration(ctx, flow.RegistrationInput{LastName: "Иванов", FirstName: "Иван", Phone: "+79161160001"}, flow.Meta{IP: "127.0.0.1"})
	if _, err := env.App.Flows.ConfirmContact(ctx, reg.ID, "phone", env.Code("+79161160001"), flow.Meta{}); err != nil {
		t.Fatal(err)
	}
	signed, err := env.App.Flows.SetPassword(ctx, reg.ID, password, flow.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	profile := map[string]any{
		"personal": map[string]any{"last_name": "Иванов", "first_name": "Иван", "middle_name": "Иванович", "gender": "M",
			"birth_date": "1985-03-14", "birth_place": "г. Москва", "citizenship": "RUS"},
		"snils": "112-233-445 95",
		"id_doc": map[string]any{"type": "RF_PASSPORT", "series": "4509", "number": "123456", "issue_date": "2005-04-02",
			"issuer": "ОВД Тверского района г. Москвы", "department_code": "770001"},
	}
	for _, step := range []struct {
		method, path string
		body         any
	}{{"PUT", "/api/v1/me/profile", profile}, {"POST", "/api/v1/me/profile/submit", map[string]any{}}} {
		b, _ := json.Marshal(step.body)
		req, _ := http.NewRequest(step.method, env.URL+step.path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+signed.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %v %v", step.method, step.path, resp.StatusCode, err)
		}
		resp.Body.Close()
	}
	env.Deliver() // the registry checks run

	x := newRP(t, env, rp.Input{MinLevel: "standard", Scopes: []string{"fullname", "snils", "birthdate", "id_doc"}})
	q, v := x.authorize(signed.Session, oauth2.SetAuthURLParam("scope", "openid fullname snils birthdate id_doc"))
	tok, _, claims := x.exchange(q, v)
	if claims["acr"] != "urn:civis:loa:standard" {
		t.Fatalf("acr = %v after verification", claims["acr"])
	}
	ui, err := x.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	_ = ui.Claims(&info)
	doc, _ := info["id_doc"].(map[string]any)
	if info["snils"] == nil || info["birthdate"] != "1985-03-14" || doc == nil || doc["verified"] != true {
		t.Errorf("userinfo after verification = %v", info)
	}
}
