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
	// out is shared by the chunks of one Service.Batch run, so that WriteFiles appends
	// every chunk to the same files; nil for a Batch made elsewhere.
	out *output
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

// chunkAttempts bounds the tries of one chunk that lost a race (a letter reordered or taken
// by another batch between reading it and recording it).
const chunkAttempts = 5

// Batch prints every ordered letter (up to Config.BatchLimit, oldest first) in chunks of
// Config.BatchChunk letters, so that no transaction runs long or waits for a disk. For each
// chunk it reads the letters and their accounts' standings (one query), gives each letter a
// new code and calls write with the chunk's letters, outside any transaction; then one short
// transaction stores the codes' keyed hashes, marks the letters sent (or batched, with Hold),
// schedules their reminders, and voids instead the letters of accounts deleted or confirmed
// otherwise since the order. write is not called for a chunk without letters to print, so an
// empty batch writes nothing. Called with WriteFiles, write appends each chunk to the files
// of the earlier ones.
//
// The guarantee, kept across any failure: the files hold exactly the letters the batch
// recorded, each once.
//   - No letter is lost: a chunk is recorded only after write returned for it, that is,
//     after its files were written and synced; a crash at any point cannot record a letter
//     whose code is not on disk.
//   - No letter is printed twice: when a chunk is not recorded (write or the transaction
//     fails), it is taken out of the files again (Files.Remove) and its letters stay ordered
//     for the next batch, which gives them new codes; the chunks recorded before stay, in
//     the database and in the files. When the transaction's outcome is unknown (its commit
//     failed), Batch reads one of its letters back to tell; if even that fails it keeps the
//     files, so that a letter may be printed twice but never lost. Likewise a process killed
//     between writing a chunk and committing it leaves that one chunk in the files with
//     codes that do not work, printed again by the next batch.
//
// Batch returns the batch with the letters it recorded; on an error, with the letters
// recorded before it, whose files stay and must be handed over like a whole batch's.
func (s *Service) Batch(ctx context.Context, opts BatchOptions, write func(*Batch) error) (*Batch, error) {
	b := &Batch{ID: s.newID(), At: s.now(), Hold: opts.Hold, out: &output{}}
	size := s.Config.BatchChunk
	if size <= 0 {
		size = DefaultBatchChunk
	}
	for taken := 0; taken < s.Config.BatchLimit; {
		n := min(size, s.Config.BatchLimit-taken)
		got, err := s.chunk(ctx, b, n, write)
		if err != nil {
			return b, batchFailed(b, err)
		}
		if got < n {
			break
		}
		taken += got
	}
	return b, nil
}

// batchFailed says what a failed batch recorded before it failed.
func batchFailed(b *Batch, err error) error {
	if f := b.out.written(); f != nil {
		return fmt.Errorf("letters batch %s: %d letters were recorded, in %s; the rest stay ordered: %w",
			b.ID, len(b.Letters), f.CSV, err)
	}
	if len(b.Letters) > 0 {
		return fmt.Errorf("letters batch %s: %d letters were recorded; the rest stay ordered: %w", b.ID, len(b.Letters), err)
	}
	return fmt.Errorf("letters batch: %w", err)
}

// chunk prints up to n ordered letters into b, trying again after a lost race, and returns
// how many it took (printed or voided): fewer than n when no more letters wait.
func (s *Service) chunk(ctx context.Context, b *Batch, n int, write func(*Batch) error) (int, error) {
	for range chunkAttempts {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		c, err := s.prepare(ctx, b, n)
		if err != nil {
			return 0, err
		}
		err = s.record(ctx, b, c, write)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return c.taken, err
	}
	return 0, fmt.Errorf("record a chunk: %w", store.ErrConflict)
}

// chunkOf is one chunk of a batch, made in memory.
type chunkOf struct {
	taken   int       // letters read
	printed []Printed // letters with their new codes
	void    []*Letter // letters of accounts gone or confirmed otherwise
}

// prepare reads up to n ordered letters and their accounts' standings, and gives each letter
// to print its code, in memory only.
func (s *Service) prepare(ctx context.Context, b *Batch, n int) (*chunkOf, error) {
	list, err := s.Store.OrderedLetters(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("load ordered letters: %w", err)
	}
	if len(list) == 0 {
		return &chunkOf{}, nil
	}
	ids := make([]string, 0, len(list))
	for _, l := range list {
		ids = append(ids, l.AccountID)
	}
	standing, err := s.Store.AccountStandings(ctx, ids)
	if err != nil {
		return nil, err
	}
	c := &chunkOf{taken: len(list)}
	for _, l := range list {
		if st, ok := standing[l.AccountID]; !ok || st.State != account.Active || st.Level != account.Standard {
			l.end(Void, b.At)
			c.void = append(c.void, l)
			continue
		}
		p, err := s.encode(b, l)
		if err != nil {
			return nil, err
		}
		c.printed = append(c.printed, p)
	}
	return c, nil
}

// encode gives l its code and moves it into the batch, in memory.
func (s *Service) encode(b *Batch, l *Letter) (Printed, error) {
	code, err := NewCode(s.rand())
	if err != nil {
		return Printed{}, err
	}
	l.CodeHash, l.BatchID, l.BatchedAt, l.State = s.CodeKey.Hash(codeScope(l.ID), code), b.ID, b.At, Batched
	if !b.Hold {
		s.startCode(l, b.At)
	}
	return Printed{Letter: l, Code: Format(code)}, nil
}

// record writes c with write, then records it in one transaction; a chunk not recorded is
// taken out of the files again.
func (s *Service) record(ctx context.Context, b *Batch, c *chunkOf, write func(*Batch) error) error {
	if len(c.printed) > 0 {
		if err := write(&Batch{ID: b.ID, At: b.At, Hold: b.Hold, Letters: c.printed, out: b.out}); err != nil {
			return errors.Join(fmt.Errorf("write the batch files: %w", err), b.out.discard())
		}
	}
	err := s.Tx.InTx(ctx, func(ctx context.Context) error { return s.save(ctx, b.Hold, c) })
	if err != nil && len(c.printed) > 0 && !errors.Is(err, store.ErrConflict) {
		done, rerr := s.recorded(ctx, c.printed[0].Letter)
		if rerr != nil {
			b.out.keep()
			return fmt.Errorf("record a chunk: %w; whether it was recorded is unknown, so its files are kept: %w", err, rerr)
		}
		if done {
			err = nil
		}
	}
	if err != nil {
		return errors.Join(fmt.Errorf("record a chunk: %w", err), b.out.discard())
	}
	b.out.keep()
	b.Letters = append(b.Letters, c.printed...)
	return nil
}

// save records a chunk; it runs in the chunk's transaction.
func (s *Service) save(ctx context.Context, hold bool, c *chunkOf) error {
	for _, l := range c.void {
		if err := s.Store.UpdateLetter(ctx, l); err != nil {
			return err
		}
	}
	for _, p := range c.printed {
		if !hold {
			if err := s.recordSent(ctx, p.Letter, "system"); err != nil {
				return err
			}
		}
		if err := s.Store.UpdateLetter(ctx, p.Letter); err != nil {
			return err
		}
	}
	return nil
}

// recorded tells, after a transaction that failed, whether it committed all the same (its
// answer lost): the batch id is written on l by that transaction and by nothing else.
func (s *Service) recorded(ctx context.Context, l *Letter) (bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	got, err := s.Store.GetLetter(ctx, l.ID)
	if err != nil {
		return false, err
	}
	return got.BatchID == l.BatchID, nil
}

// send starts the code's validity and schedules the reminder; the caller saves l.
func (s *Service) send(ctx context.Context, l *Letter, at time.Time, actor string) error {
	s.startCode(l, at)
	return s.recordSent(ctx, l, actor)
}

// startCode makes l sent at at: its code is valid from then for CodeTTL.
func (s *Service) startCode(l *Letter, at time.Time) {
	l.State, l.SentAt, l.ExpiresAt = Sent, at, at.Add(s.Config.CodeTTL)
}

// recordSent schedules the reminder of l, sent at l.SentAt, and audits the sending.
func (s *Service) recordSent(ctx context.Context, l *Letter, actor string) error {
	if s.Queue != nil && s.Config.ReminderAfter > 0 && s.Config.ReminderAfter < s.Config.CodeTTL {
		payload, _ := json.Marshal(reminderPayload{LetterID: l.ID})
		if err := s.Queue.EnqueueAt(ctx, JobKind, payload, l.SentAt.Add(s.Config.ReminderAfter)); err != nil {
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
