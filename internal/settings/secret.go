package settings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// SecretQuestion is the question recovery asks and the hash of its normalised answer.
type SecretQuestion struct {
	Question   string
	AnswerHash string // argon2id PHC string of NormalizeAnswer(answer)
}

// Limits of a question and an answer, in characters.
const (
	maxQuestion = 200
	maxAnswer   = 100
	minAnswer   = 2
)

var folder = cases.Fold()

// NormalizeAnswer is the form in which answers are hashed and compared: Unicode NFKC, case
// folded, ё read as е, surrounding spaces trimmed and inner runs of spaces made one, so that
// "  Ёлкина " and "елкина" are the same answer.
func NormalizeAnswer(a string) string {
	a = folder.String(norm.NFKC.String(a))
	a = strings.NewReplacer("ё", "е", "Ё", "е").Replace(a)
	return strings.Join(strings.Fields(a), " ")
}

// SetSecretQuestion sets (or replaces) the account's secret question and answer. It needs a
// recent sign-in.
func (s *Service) SetSecretQuestion(ctx context.Context, sess *session.Session, question, answer string, m flow.Meta) error {
	if err := s.fresh(sess); err != nil {
		return err
	}
	q, a, err := checkQuestion(question, answer)
	if err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, a)
	if err != nil {
		return fmt.Errorf("hash answer: %w", err)
	}
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.SetSecretQuestion(ctx, sess.AccountID, SecretQuestion{Question: q, AnswerHash: hash}); err != nil {
			return fmt.Errorf("set secret question: %w", err)
		}
		return s.record(ctx, sess.AccountID, ActionQuestionSet, m.IP, nil)
	})
}

func checkQuestion(question, answer string) (q, a string, err error) {
	v := &flow.ValidationError{Code: "validation_failed"}
	q = strings.Join(strings.Fields(question), " ")
	a = NormalizeAnswer(answer)
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		v.Fields = append(v.Fields, flow.FieldError{Field: "question", Code: "required", Message: "this field is required"})
	case n > maxQuestion:
		v.Fields = append(v.Fields, flow.FieldError{Field: "question", Code: "too_long", Message: "at most 200 characters"})
	}
	switch n := utf8.RuneCountInString(a); {
	case n == 0:
		v.Fields = append(v.Fields, flow.FieldError{Field: "answer", Code: "required", Message: "this field is required"})
	case n < minAnswer:
		v.Fields = append(v.Fields, flow.FieldError{Field: "answer", Code: "too_short", Message: "at least 2 characters"})
	case n > maxAnswer:
		v.Fields = append(v.Fields, flow.FieldError{Field: "answer", Code: "too_long", Message: "at most 100 characters"})
	}
	if len(v.Fields) > 0 {
		return "", "", v
	}
	return q, a, nil
}

// RemoveSecretQuestion removes the account's secret question. It needs a recent sign-in.
func (s *Service) RemoveSecretQuestion(ctx context.Context, sess *session.Session, m flow.Meta) error {
	if err := s.fresh(sess); err != nil {
		return err
	}
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.DeleteSecretQuestion(ctx, sess.AccountID); err != nil {
			return fmt.Errorf("remove secret question: %w", err)
		}
		return s.record(ctx, sess.AccountID, ActionQuestionRemoved, m.IP, nil)
	})
}

// Question returns the account's secret question; ok is false when it has none.
func (s *Service) Question(ctx context.Context, accountID string) (question string, ok bool, err error) {
	q, err := s.Store.SecretQuestion(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("load secret question: %w", err)
	}
	return q.Question, true, nil
}

// CheckAnswer reports whether answer, normalised, is the account's secret answer. An account
// without a question has no right answer.
func (s *Service) CheckAnswer(ctx context.Context, accountID, answer string) (bool, error) {
	q, err := s.Store.SecretQuestion(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		s.Hasher.VerifyDummy(ctx, answer)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load secret question: %w", err)
	}
	ok, _, err := s.Hasher.Verify(ctx, NormalizeAnswer(answer), q.AnswerHash)
	if err != nil {
		return false, fmt.Errorf("check answer: %w", err)
	}
	return ok, nil
}
