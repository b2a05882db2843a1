package recovery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/store"
)

// Get returns a live recovery flow (a completed or failed one too: callers check State).
func (s *Service) Get(ctx context.Context, id string) (*Recovery, error) {
	if id == "" || len(id) > 64 {
		return nil, ErrNotFound
	}
	r, err := s.Store.GetRecovery(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load recovery: %w", err)
	}
	if !s.Now().Before(r.ExpiresAt) {
		return nil, ErrExpired
	}
	return r, nil
}

// update loads the flow, applies fn and, when fn says so, saves it, in one transaction,
// retrying when a concurrent step changed the flow first. fn's error is returned after the
// save, so that what fn counted (a wrong code) is kept even when the step fails.
func (s *Service) update(ctx context.Context, id string, fn func(ctx context.Context, r *Recovery) (save bool, err error)) (*Recovery, error) {
	for range 5 {
		var r *Recovery
		var stepErr error
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			var err error
			if r, err = s.Get(ctx, id); err != nil {
				return err
			}
			switch r.State {
			case Completed:
				return ErrCompleted
			case Failed:
				return ErrFailed
			}
			var save bool
			save, stepErr = fn(ctx, r)
			if !save {
				return nil
			}
			return s.Store.UpdateRecovery(ctx, r)
		})
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return r, stepErr
	}
	return nil, fmt.Errorf("update recovery: %w", store.ErrConflict)
}

// Confirm checks the code. When it is right the flow moves on: to the second identifier, the
// secret question or the new password. An unknown identifier's flow has no code, so every
// entry is wrong, counted as a mistyped one.
func (s *Service) Confirm(ctx context.Context, id, code string, m flow.Meta) (*Recovery, error) {
	if err := s.limit(ctx, s.Config.CheckPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	if !digits(code, s.Config.CodeDigits) {
		return nil, &flow.ValidationError{Code: "validation_failed", Fields: []flow.FieldError{{Field: "code",
			Code: "code_format", Message: fmt.Sprintf("the code is %d digits", s.Config.CodeDigits)}}}
	}
	return s.update(ctx, id, func(ctx context.Context, r *Recovery) (bool, error) {
		if r.State != AwaitingCode {
			return false, ErrWrongStep
		}
		if r.CodeAttempts >= s.Config.CodeAttempts {
			return false, flow.ErrCodeAttempts
		}
		if !s.Now().Before(r.CodeExpiresAt) { // an unknown identifier's flow expires its "code" alike
			return false, flow.ErrCodeExpired
		}
		if r.CodeHash == "" || !s.CodeKey.Equal(codeScope(r.ID), code, r.CodeHash) {
			r.CodeAttempts++
			if r.CodeAttempts >= s.Config.CodeAttempts {
				r.CodeHash = ""
				return true, flow.ErrCodeAttempts
			}
			return true, flow.ErrCodeInvalid
		}
		r.CodeHash = ""
		return true, s.advance(ctx, r, AwaitingCode)
	})
}

// advance moves r past the step from to the next one the account needs.
func (s *Service) advance(ctx context.Context, r *Recovery, from State) error {
	if from == AwaitingCode && !r.Kind.Document() {
		docs, err := s.documents(ctx, r.AccountID)
		if err != nil {
			return err
		}
		if len(docs) > 0 {
			r.State, r.StepAttempts = AwaitingIdentifier, 0
			return nil
		}
	}
	if from != AwaitingAnswer {
		_, ok, err := s.Secrets.Question(ctx, r.AccountID)
		if err != nil {
			return err
		}
		if ok {
			r.State, r.StepAttempts = AwaitingAnswer, 0
			return nil
		}
	}
	r.State = AwaitingPassword
	return nil
}

// Accepted returns the kinds of document the flow's second-identifier step accepts (the
// account's verified ones). Call it only in that step: it tells what the account holds.
func (s *Service) Accepted(ctx context.Context, r *Recovery) ([]Kind, error) {
	if r.State != AwaitingIdentifier {
		return nil, ErrWrongStep
	}
	docs, err := s.documents(ctx, r.AccountID)
	if err != nil {
		return nil, err
	}
	var out []Kind
	for _, k := range Kinds {
		if _, ok := docs[k]; ok {
			out = append(out, k)
		}
	}
	return out, nil
}

// Question returns the flow's secret question. Call it only in the answer step.
func (s *Service) Question(ctx context.Context, r *Recovery) (string, error) {
	if r.State != AwaitingAnswer {
		return "", ErrWrongStep
	}
	q, _, err := s.Secrets.Question(ctx, r.AccountID)
	return q, err
}

// Identify checks the second identifier: one of the account's verified documents.
func (s *Service) Identify(ctx context.Context, id, kind, value string, m flow.Meta) (*Recovery, error) {
	if err := s.limit(ctx, s.Config.CheckPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	given, err := ParseIdentifier(kind, value)
	if err != nil {
		return nil, err
	}
	if !given.Kind.Document() {
		return nil, &flow.ValidationError{Code: "validation_failed", Fields: []flow.FieldError{{Field: "kind",
			Code: "invalid_choice", Message: "kind must be snils, passport or inn"}}}
	}
	return s.update(ctx, id, func(ctx context.Context, r *Recovery) (bool, error) {
		if r.State != AwaitingIdentifier {
			return false, ErrWrongStep
		}
		docs, err := s.documents(ctx, r.AccountID)
		if err != nil {
			return false, err
		}
		if want, ok := docs[given.Kind]; !ok || want != given.Value {
			return s.wrongStep(ctx, r, ErrIdentifierWrong, m)
		}
		return true, s.advance(ctx, r, AwaitingIdentifier)
	})
}

// Answer checks the answer to the secret question, compared in its normalised form.
func (s *Service) Answer(ctx context.Context, id, answer string, m flow.Meta) (*Recovery, error) {
	if err := s.limit(ctx, s.Config.CheckPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	if strings.TrimSpace(answer) == "" || utf8.RuneCountInString(answer) > 200 {
		return nil, &flow.ValidationError{Code: "validation_failed", Fields: []flow.FieldError{{Field: "answer",
			Code: "required", Message: "this field is required"}}}
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := inStep(r, AwaitingAnswer); err != nil {
		return nil, err
	}
	ok, err := s.Secrets.CheckAnswer(ctx, r.AccountID, answer) // hashing is slow: outside the transaction
	if err != nil {
		return nil, err
	}
	return s.update(ctx, id, func(ctx context.Context, r *Recovery) (bool, error) {
		if r.State != AwaitingAnswer {
			return false, ErrWrongStep
		}
		if !ok {
			return s.wrongStep(ctx, r, ErrAnswerWrong, m)
		}
		return true, s.advance(ctx, r, AwaitingAnswer)
	})
}

// wrongStep counts a wrong identifier or answer in the flow and for the account; when either
// count is spent the flow fails (a new recovery needs a new code).
func (s *Service) wrongStep(ctx context.Context, r *Recovery, wrong error, m flow.Meta) (bool, error) {
	r.StepAttempts++
	spent := r.StepAttempts >= s.Config.StepAttempts
	if err := s.limit(ctx, s.Config.StepPerAccount, "recovery_step", r.AccountID); isRateLimited(err) {
		spent = true
	} else if err != nil {
		return false, err
	}
	if !spent {
		return true, wrong
	}
	step := r.State
	r.State = Failed
	err := s.Audit.Record(ctx, audit.Event{AccountID: r.AccountID, Action: ActionFailed, Actor: "self", IP: m.IP,
		Details: map[string]string{"step": string(step)}})
	if err != nil {
		return false, err
	}
	return true, ErrFailed
}

// inStep fails unless r is in state want, saying why.
func inStep(r *Recovery, want State) error {
	switch r.State {
	case want:
		return nil
	case Completed:
		return ErrCompleted
	case Failed:
		return ErrFailed
	}
	return ErrWrongStep
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
