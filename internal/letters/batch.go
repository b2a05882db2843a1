package letters

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/store"
)

// Batch is one print batch: the letters it holds with their codes in plain text, which exist
// nowhere else. Write it out and forget it.
type Batch struct {
	ID      string
	At      time.Time
	Hold    bool // the letters stay batched until the print house reports them sent
	Letters []Printed
}

// Printed is a letter of a batch with its code.
type Printed struct {
	*Letter
	Code string // as printed: XXXXX-XXXXX
}

// BatchOptions tune a batch.
type BatchOptions struct {
	// Hold leaves the letters batched (their codes not yet valid) until a tracking update
	// reports them sent; by default the batch marks them sent.
	Hold bool
}

// Batch takes every ordered letter (up to Config.BatchLimit, oldest first), gives each a new
// code, stores only the code's keyed hash, marks the letters sent (or batched, with Hold) and
// calls write with the batch, all in one transaction: if write fails nothing changes, and the
// codes are gone. A batch without letters does not call write.
func (s *Service) Batch(ctx context.Context, opts BatchOptions, write func(*Batch) error) (*Batch, error) {
	var out *Batch
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		list, err := s.Store.OrderedLetters(ctx, s.Config.BatchLimit)
		if err != nil {
			return fmt.Errorf("load ordered letters: %w", err)
		}
		b := &Batch{ID: s.newID(), At: s.now(), Hold: opts.Hold}
		for _, l := range list {
			if ok, err := s.stillWanted(ctx, l, b.At); err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			p, err := s.print(ctx, b, l)
			if err != nil {
				return err
			}
			b.Letters = append(b.Letters, p)
		}
		out = b
		if len(b.Letters) == 0 {
			return nil
		}
		return write(b)
	})
	if err != nil {
		return nil, fmt.Errorf("letters batch: %w", err)
	}
	return out, nil
}

// stillWanted voids, instead of printing, the letter of an account deleted or confirmed
// since it was ordered.
func (s *Service) stillWanted(ctx context.Context, l *Letter, now time.Time) (bool, error) {
	acc, err := s.Accounts.GetAccount(ctx, l.AccountID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, fmt.Errorf("load account: %w", err)
	}
	if err == nil && acc.State == account.Active && acc.Level == account.Standard {
		return true, nil
	}
	l.end(Void, now)
	return false, s.Store.UpdateLetter(ctx, l)
}

// print gives l its code and moves it into the batch.
func (s *Service) print(ctx context.Context, b *Batch, l *Letter) (Printed, error) {
	code, err := NewCode(s.rand())
	if err != nil {
		return Printed{}, err
	}
	l.CodeHash, l.BatchID, l.BatchedAt, l.State = s.CodeKey.Hash(codeScope(l.ID), code), b.ID, b.At, Batched
	if !b.Hold {
		if err := s.send(ctx, l, b.At, "system"); err != nil {
			return Printed{}, err
		}
	}
	if err := s.Store.UpdateLetter(ctx, l); err != nil {
		return Printed{}, err
	}
	return Printed{Letter: l, Code: Format(code)}, nil
}

// send starts the code's validity and schedules the reminder; the caller saves l.
func (s *Service) send(ctx context.Context, l *Letter, at time.Time, actor string) error {
	l.State, l.SentAt, l.ExpiresAt = Sent, at, at.Add(s.Config.CodeTTL)
	if s.Queue != nil && s.Config.ReminderAfter > 0 && s.Config.ReminderAfter < s.Config.CodeTTL {
		payload, _ := json.Marshal(reminderPayload{LetterID: l.ID})
		if err := s.Queue.EnqueueAt(ctx, JobKind, payload, at.Add(s.Config.ReminderAfter)); err != nil {
			return err
		}
	}
	return s.Audit.Record(ctx, audit.Event{AccountID: l.AccountID, Action: ActionSent, Actor: actor,
		Details: map[string]string{"letter_id": l.ID, "batch_id": l.BatchID}})
}

// TrackingState is a state the post reports.
type TrackingState string

// Tracking states.
const (
	TrackSent      TrackingState = "sent"
	TrackDelivered TrackingState = "delivered"
	TrackReturned  TrackingState = "returned"
)

// TrackingUpdate is one report of the post about a letter.
type TrackingUpdate struct {
	LetterID       string
	TrackingNumber string // "" keeps the known one
	State          TrackingState
}

// TrackingResult is what an update did.
type TrackingResult struct {
	LetterID string
	State    State // the letter's state afterwards
	Changed  bool  // the state changed (else only the tracking number, if any, was recorded)
}

// Track applies the post's reports, all in one transaction: a batched letter becomes sent
// (its code valid from now), a sent one delivered, any letter on its way returned (its code
// void). A letter already used, expired, void or returned keeps its state; only its tracking
// number is recorded. Bad updates give a validation_failed *flow.ValidationError with fields
// "[i].letter_id", "[i].state", "[i].tracking_number", and nothing changes.
func (s *Service) Track(ctx context.Context, updates []TrackingUpdate, actor string) ([]TrackingResult, error) {
	if err := validateTracking(updates); err != nil {
		return nil, err
	}
	for range 5 {
		out, err := s.track(ctx, updates, actor)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return out, err
	}
	return nil, fmt.Errorf("track letters: %w", store.ErrConflict)
}

func (s *Service) track(ctx context.Context, updates []TrackingUpdate, actor string) ([]TrackingResult, error) {
	var out []TrackingResult
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		out = out[:0]
		var bad []flow.FieldError
		for i, u := range updates {
			l, err := s.Store.GetLetter(ctx, u.LetterID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				bad = append(bad, flow.FieldError{Field: index(i, "letter_id"), Code: "not_found", Message: "no letter has this id"})
				continue
			case err != nil:
				return err
			case l.State == Ordered:
				bad = append(bad, flow.FieldError{Field: index(i, "letter_id"), Code: "not_batched",
					Message: "the letter is not in a print batch yet"})
				continue
			}
			r, err := s.apply(ctx, l, u, actor)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		if len(bad) > 0 {
			return &flow.ValidationError{Code: "validation_failed", Fields: bad}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("track letters: %w", err)
	}
	return out, nil
}

// apply records one update on l.
func (s *Service) apply(ctx context.Context, l *Letter, u TrackingUpdate, actor string) (TrackingResult, error) {
	now := s.now()
	before := l.State
	if u.TrackingNumber != "" {
		l.TrackingNumber = u.TrackingNumber
	}
	if l.StateAt(now) == Expired {
		l.end(Expired, now)
	}
	action := ""
	switch {
	case u.State == TrackSent && l.State == Batched:
		if err := s.send(ctx, l, now, actor); err != nil {
			return TrackingResult{}, err
		}
	case u.State == TrackDelivered && (l.State == Batched || l.State == Sent):
		if l.State == Batched {
			if err := s.send(ctx, l, now, actor); err != nil {
				return TrackingResult{}, err
			}
		}
		l.State, l.DeliveredAt, action = Delivered, now, ActionDelivered
	case u.State == TrackReturned && (l.State == Batched || l.State == Sent || l.State == Delivered):
		l.end(Returned, now)
		action = ActionReturned
	}
	if err := s.Store.UpdateLetter(ctx, l); err != nil {
		return TrackingResult{}, err
	}
	if action != "" {
		err := s.Audit.Record(ctx, audit.Event{AccountID: l.AccountID, Action: action, Actor: actor,
			Details: map[string]string{"letter_id": l.ID}})
		if err != nil {
			return TrackingResult{}, err
		}
	}
	return TrackingResult{LetterID: l.ID, State: l.State, Changed: l.State != before}, nil
}

// maxTracking bounds the updates of one call.
const maxTracking = 1000

func index(i int, field string) string { return "[" + strconv.Itoa(i) + "]." + field }

// validateTracking checks the shape of every update before any is applied.
func validateTracking(updates []TrackingUpdate) error {
	var bad []flow.FieldError
	add := func(field, code, msg string) {
		bad = append(bad, flow.FieldError{Field: field, Code: code, Message: msg})
	}
	switch {
	case len(updates) == 0:
		add("updates", "required", "give at least one update")
	case len(updates) > maxTracking:
		add("updates", "too_many", "at most "+strconv.Itoa(maxTracking)+" updates per call")
	}
	for i := range updates {
		u := &updates[i]
		u.LetterID, u.TrackingNumber = strings.TrimSpace(u.LetterID), strings.TrimSpace(u.TrackingNumber)
		if u.LetterID == "" || len(u.LetterID) > 64 {
			add(index(i, "letter_id"), "required", "the letter id is required")
		}
		switch u.State {
		case TrackSent, TrackDelivered, TrackReturned:
		default:
			add(index(i, "state"), "invalid_choice", "state is sent, delivered or returned")
		}
		if !trackingNumber(u.TrackingNumber) {
			add(index(i, "tracking_number"), "invalid", "a tracking number is up to 40 Latin letters, digits and dashes")
		}
	}
	if len(bad) > 0 {
		return &flow.ValidationError{Code: "validation_failed", Fields: bad}
	}
	return nil
}

func trackingNumber(s string) bool {
	if len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-') {
			return false
		}
	}
	return true
}

// ParseTrackingCSV reads the post's tracking report: a header naming the columns letter_id,
// state and, optionally, tracking_number (in any order; other columns are ignored), then one
// update per row. Row numbers in errors count the header as row 1.
func ParseTrackingCSV(r io.Reader) ([]TrackingUpdate, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("tracking file: read the header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"letter_id", "state"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("tracking file: the header has no %s column", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []TrackingUpdate
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("tracking file: row %d: %w", row, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		out = append(out, TrackingUpdate{LetterID: get(rec, "letter_id"), State: TrackingState(strings.ToLower(get(rec, "state"))),
			TrackingNumber: get(rec, "tracking_number")})
	}
}
