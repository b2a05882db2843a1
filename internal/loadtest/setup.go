package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"time"
)

// SetupOptions say how many accounts a scenario needs and where to keep them.
type SetupOptions struct {
	Accounts    int           // accounts wanted
	Concurrency int           // registrations at once; < 1 means 4
	File        string        // accounts file to reuse and update; "" keeps nothing
	CodeWait    time.Duration // how long to wait for a code in the dev outbox; 0 means 15s
	Log         io.Writer     // progress lines; nil for none
}

// Setup returns opts.Accounts accounts on the server behind c. It reuses those of opts.File
// when the server still accepts them (it signs in with the first one), registers the missing
// ones through the self-service API, reading codes from the dev outbox (the server must run
// with --dev), and writes the file back.
func Setup(ctx context.Context, c *Client, opts SetupOptions) ([]Account, error) {
	opts = opts.normalized()
	f := &AccountsFile{}
	if opts.File != "" {
		var err error
		if f, err = LoadAccounts(opts.File); err != nil {
			return nil, err
		}
	}
	if len(f.Accounts) > 0 {
		known, err := stillValid(ctx, c, f.Accounts[0])
		if err != nil {
			return nil, err
		}
		if !known {
			logf(opts.Log, "accounts in %s are unknown to %s; registering new ones", opts.File, c.BaseURL)
			f = &AccountsFile{}
		}
	}
	missing := opts.Accounts - len(f.Accounts)
	if missing <= 0 {
		logf(opts.Log, "reusing %d accounts from %s", opts.Accounts, opts.File)
		return f.Accounts[:opts.Accounts], nil
	}
	password := newPassword()
	if len(f.Accounts) > 0 {
		password = f.Accounts[0].Password
	}
	logf(opts.Log, "registering %d accounts on %s (%d at once)", missing, c.BaseURL, opts.Concurrency)
	made, err := registerMany(ctx, c, opts, missing, password)
	f.Accounts = append(f.Accounts, made...)
	if f.Server == "" {
		f.Server, f.Created = c.BaseURL, time.Now().UTC()
	}
	if opts.File != "" && len(made) > 0 {
		if serr := f.Save(opts.File); serr != nil {
			return nil, errors.Join(err, serr)
		}
	}
	if err != nil {
		return nil, err
	}
	return f.Accounts[:opts.Accounts], nil
}

func (o SetupOptions) normalized() SetupOptions {
	if o.Concurrency < 1 {
		o.Concurrency = 4
	}
	if o.CodeWait <= 0 {
		o.CodeWait = 15 * time.Second
	}
	o.Accounts = max(o.Accounts, 1)
	return o
}

// stillValid reports whether the server accepts a's password; an answer other than success
// or 401 (another database, a reset one) is an error.
func stillValid(ctx context.Context, c *Client, a Account) (bool, error) {
	err := c.PostJSON(ctx, "/api/v1/sessions", loginRequest{Login: a.Login, Password: a.Password}, nil)
	var apiErr *APIError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized:
		return false, nil
	}
	return false, fmt.Errorf("check the accounts of the accounts file: %w", err)
}

// registerMany registers n accounts with opts.Concurrency workers; on the first error it
// stops and returns the accounts made so far with that error.
func registerMany(ctx context.Context, c *Client, opts SetupOptions, n int, password string) ([]Account, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	phones := newPhoneRange(n)
	jobs := make(chan int)
	var mu sync.Mutex
	var made []Account
	var wg sync.WaitGroup
	for range min(opts.Concurrency, n) {
		wg.Go(func() {
			for i := range jobs {
				a, err := register(ctx, c, phones.phone(i), password, opts.CodeWait)
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				made = append(made, a)
				if len(made)%50 == 0 {
					logf(opts.Log, "  %d/%d", len(made), n)
				}
				mu.Unlock()
			}
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	return made, context.Cause(ctx)
}

type registrationRequest struct {
	LastName  string `json:"last_name"`
	FirstName string `json:"first_name"`
	Phone     string `json:"phone"`
}

// register creates one simplified account with phone and password.
func register(ctx context.Context, c *Client, phone, password string, codeWait time.Duration) (Account, error) {
	var reg struct{ ID string }
	err := c.PostJSON(ctx, "/api/v1/registrations", registrationRequest{LastName: "Нагрузкин", FirstName: "Тест", Phone: phone}, &reg)
	if err != nil {
		return Account{}, fmt.Errorf("register %s: %w", phone, err)
	}
	code, err := waitCode(ctx, c, phone, codeWait)
	if err != nil {
		return Account{}, err
	}
	flow := "/api/v1/registrations/" + url.PathEscape(reg.ID)
	if err := c.PostJSON(ctx, flow+"/confirm", map[string]string{"channel": "phone", "code": code}, nil); err != nil {
		return Account{}, fmt.Errorf("confirm %s: %w", phone, err)
	}
	var out struct {
		AccountID string `json:"account_id"`
	}
	if err := c.PostJSON(ctx, flow+"/password", map[string]string{"password": password}, &out); err != nil {
		return Account{}, fmt.Errorf("set password of %s: %w", phone, err)
	}
	return Account{Login: phone, Password: password, AccountID: out.AccountID}, nil
}

var codePattern = regexp.MustCompile(`\b(\d{6})\b`)

// waitCode polls the dev outbox for the newest message to phone until it holds a code.
func waitCode(ctx context.Context, c *Client, phone string, wait time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		var msgs []struct{ Body string }
		err := c.GetJSON(ctx, "/dev/outbox?to="+url.QueryEscape(phone), &msgs)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
			return "", errors.New("the server has no dev outbox: start it with --dev")
		}
		if len(msgs) > 0 {
			if m := codePattern.FindStringSubmatch(msgs[0].Body); m != nil {
				return m[1], nil
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no code for %s in the dev outbox after %s (last error: %v)", phone, wait, err)
		case <-tick.C:
		}
	}
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
