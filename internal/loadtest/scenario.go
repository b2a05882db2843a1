package loadtest

import (
	"context"
	"errors"
	"sync/atomic"
)

// Scenario is one kind of request that Run drives: Do issues one request as a worker and
// must be safe to call from all workers at once.
type Scenario struct {
	Name string
	Do   func(ctx context.Context, worker int) error
}

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// Login is the password sign-in scenario: each request is POST /api/v1/sessions with the
// next account's login and password, which must answer 201 with a session token.
func Login(c *Client, accounts []Account) Scenario {
	var next atomic.Uint64
	return Scenario{Name: "login", Do: func(ctx context.Context, _ int) error {
		a := accounts[(next.Add(1)-1)%uint64(len(accounts))]
		var out struct {
			SessionToken string `json:"session_token"`
		}
		if err := c.PostJSON(ctx, "/api/v1/sessions", loginRequest{Login: a.Login, Password: a.Password}, &out); err != nil {
			return err
		}
		if out.SessionToken == "" {
			return errors.New("POST /api/v1/sessions: no session_token in the answer")
		}
		return nil
	}}
}
