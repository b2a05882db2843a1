package letters_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/letters"
)

const day = 24 * time.Hour

func code(err error) string {
	var fe *flow.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	var ve *flow.ValidationError
	if errors.As(err, &ve) {
		return ve.Code
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

func retry(err error) time.Duration {
	var fe *flow.Error
	if errors.As(err, &fe) {
		return fe.RetryAfter
	}
	return 0
}

// TestLifecycle: order, batch, the code in any typing confirms the account with mail_code;
// the citizen is told.
func TestLifecycle(t *testing.T) {
	for _, engine := range engines() {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			a := e.standard()
			st, err := e.svc.Status(context.Background(), a.ID)
			if err != nil || !st.CanOrder || st.Letter != nil || st.Prefill != home {
				t.Fatalf("Status before ordering = %+v, %v; want can order, prefilled from the profile", st, err)
			}
			l := e.order(a)
			if l.State != letters.Ordered || l.Recipient != "Иванов Иван Иванович" {
				t.Errorf("ordered letter = %+v", l)
			}
			if err := e.confirm(a, "7K3QD-M9XZ2"); code(err) != "letter_not_sent" {
				t.Errorf("Confirm before the batch: %v, want letter_not_sent", err)
			}
			e.clk.Advance(time.Hour)
			codes := e.batch(letters.BatchOptions{})
			printed := codes[l.ID]
			if len(codes) != 1 || len(printed) != 11 || printed[5] != '-' {
				t.Fatalf("batch codes = %v, want one XXXXX-XXXXX", codes)
			}
			got := e.letter(l.ID)
			if got.State != letters.Sent || !got.SentAt.Equal(t0.Add(time.Hour)) || !got.ExpiresAt.Equal(t0.Add(time.Hour+30*day)) ||
				got.CodeHash == "" || strings.Contains(got.CodeHash, strings.ReplaceAll(printed, "-", "")) {
				t.Errorf("after the batch: %+v", got)
			}
			if again := e.batch(letters.BatchOptions{}); len(again) != 0 {
				t.Errorf("second batch printed %v again", again)
			}
			if err := e.confirm(a, "7K3QD-M9XZ2"); code(err) != "code_invalid" {
				t.Errorf("wrong code: %v, want code_invalid", err)
			}
			if err := e.confirm(a, "7K3QD-M9XU2"); code(err) != "validation_failed" {
				t.Errorf("code with U: %v, want validation_failed", err)
			}
			typed := strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(printed, "0", "o"), "1", "l"))
			if err := e.confirm(a, typed); err != nil {
				t.Fatalf("Confirm(%q) for printed %q: %v", typed, printed, err)
			}
			acc := e.account(a.ID)
			if acc.Level != account.Confirmed || acc.ConfirmationMethod != "mail_code" || !acc.ConfirmedAt.Equal(t0.Add(time.Hour)) {
				t.Errorf("account after the code: level %s, method %q, at %v", acc.Level, acc.ConfirmationMethod, acc.ConfirmedAt)
			}
			if l := e.letter(l.ID); l.State != letters.Used || l.CodeHash != "" {
				t.Errorf("letter after the code: %s, hash %q", l.State, l.CodeHash)
			}
			if err := e.confirm(a, printed); code(err) != "already_confirmed" {
				t.Errorf("code again: %v, want already_confirmed", err)
			}
			e.deliver()
			if n := e.sent.count(a.Contacts[0].Value, "подтвержден"); n != 1 {
				t.Errorf("%d confirmation messages, want 1", n)
			}
			evs, _ := e.db.AccountEvents(context.Background(), a.ID, 10)
			var actions []string
			for _, ev := range evs {
				actions = append(actions, ev.Action)
				if ev.Action == letters.ActionLevelRaised && ev.Details["method"] != "mail_code" {
					t.Errorf("level event details %v", ev.Details)
				}
			}
			if want := "account.level_raised letter.sent letter.ordered"; strings.Join(actions, " ") != want {
				t.Errorf("audit %v, want %s", actions, want)
			}
			if st, _ := e.svc.Status(context.Background(), a.ID); st.CanOrder || st.Reason != "already_confirmed" {
				t.Errorf("Status after confirming = %+v", st)
			}
		})
	}
}

// TestExpiry: the code works until 30 days after sending, and not after.
func TestExpiry(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.standard()
	l := e.order(a)
	printed := e.batch(letters.BatchOptions{})[l.ID]
	e.clk.Advance(30*day - time.Second)
	if st, _ := e.svc.Status(context.Background(), a.ID); st.State != letters.Sent {
		t.Errorf("state just before expiry %s, want sent", st.State)
	}
	e.clk.Advance(time.Second)
	if st, _ := e.svc.Status(context.Background(), a.ID); st.State != letters.Expired || !st.CanOrder {
		t.Errorf("state at expiry %s (can order %v), want expired", st.State, st.CanOrder)
	}
	if err := e.confirm(a, printed); code(err) != "code_expired" {
		t.Fatalf("right code after expiry: %v, want code_expired", err)
	}
	if got := e.letter(l.ID); got.State != letters.Expired || got.CodeHash != "" {
		t.Errorf("letter after an expired entry: %s, hash %q", got.State, got.CodeHash)
	}
	if err := e.confirm(a, printed); code(err) != "letter_not_sent" {
		t.Errorf("again: %v, want letter_not_sent", err)
	}
	if e.account(a.ID).Level != account.Standard {
		t.Error("an expired code confirmed the account")
	}
}

// TestOrderLimits: 24 hours apart, at most 4 per 30 days, standard accounts only.
func TestOrderLimits(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.standard()
	e.order(a)
	_, err := e.svc.Order(context.Background(), a.ID, home, letters.Meta{})
	if code(err) != "letter_too_soon" || retry(err) != day {
		t.Errorf("second order at once: %v (retry %v), want letter_too_soon after 24h", err, retry(err))
	}
	e.clk.Advance(day - time.Minute)
	if _, err := e.svc.Order(context.Background(), a.ID, home, letters.Meta{}); code(err) != "letter_too_soon" || retry(err) != time.Minute {
		t.Errorf("order after 23h59m: %v (retry %v)", err, retry(err))
	}
	e.clk.Advance(time.Minute)
	e.order(a) // 2nd, day 1
	e.clk.Advance(day)
	e.order(a) // 3rd, day 2
	e.clk.Advance(day)
	e.order(a) // 4th, day 3
	e.clk.Advance(day)
	_, err = e.svc.Order(context.Background(), a.ID, home, letters.Meta{})
	if code(err) != "letter_limit" || retry(err) != 26*day {
		t.Errorf("5th order on day 4: %v (retry %v), want letter_limit until day 30", err, retry(err))
	}
	st, _ := e.svc.Status(context.Background(), a.ID)
	if st.CanOrder || st.Reason != "letter_limit" || !st.NextOrderAt.Equal(t0.Add(30*day)) {
		t.Errorf("Status at the limit = %+v", st)
	}
	e.clk.Advance(26 * day)
	e.order(a) // the first has left the window

	simple := e.standard()
	if err := e.db.SetLevel(context.Background(), simple.ID, account.Simplified, "", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Order(context.Background(), simple.ID, home, letters.Meta{}); code(err) != "standard_level_required" {
		t.Errorf("order by a simplified account: %v", err)
	}
	_, err = e.svc.Order(context.Background(), e.standard().ID, letters.Address{Postcode: "12345", House: strings.Repeat("1", 21)}, letters.Meta{})
	var ve *flow.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("bad address: %v", err)
	}
	var got []string
	for _, f := range ve.Fields {
		got = append(got, f.Field+":"+f.Code)
	}
	if want := "postcode:postcode_invalid region:required city:required street:required house:too_long"; strings.Join(got, " ") != want {
		t.Errorf("address field errors %v, want %s", got, want)
	}
}

// TestNewLetterVoidsOld: a new letter makes the previous code useless.
func TestNewLetterVoidsOld(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.standard()
	first := e.order(a)
	oldCode := e.batch(letters.BatchOptions{})[first.ID]
	e.clk.Advance(2 * day)
	second := e.order(a)
	if got := e.letter(first.ID); got.State != letters.Void || got.CodeHash != "" {
		t.Errorf("first letter after the second order: %s, hash %q", got.State, got.CodeHash)
	}
	newCode := e.batch(letters.BatchOptions{})[second.ID]
	if err := e.confirm(a, oldCode); code(err) != "code_invalid" {
		t.Errorf("old code: %v, want code_invalid", err)
	}
	if err := e.confirm(a, newCode); err != nil {
		t.Errorf("new code: %v", err)
	}
}

// TestWrongCodeLimit: 5 wrong entries per 10 minutes, then rate_limited even for the right
// code, until the window ends.
func TestWrongCodeLimit(t *testing.T) {
	e := newEnv(t, "sqlite")
	a := e.standard()
	l := e.order(a)
	right := e.batch(letters.BatchOptions{})[l.ID]
	wrong := "00000-00000"
	if right == wrong {
		wrong = "11111-11111"
	}
	for i := range 5 {
		if err := e.confirm(a, wrong); code(err) != "code_invalid" {
			t.Fatalf("wrong code #%d: %v", i+1, err)
		}
	}
	if err := e.confirm(a, right); code(err) != "rate_limited" || retry(err) <= 0 {
		t.Fatalf("right code after 5 wrong: %v, want rate_limited", err)
	}
	e.clk.Advance(10 * time.Minute)
	if err := e.confirm(a, right); err != nil {
		t.Errorf("right code in the next window: %v", err)
	}
}

// TestReminder: a reminder 14 days after sending when the code is unused, once; none for a
// letter used or replaced meanwhile.
func TestReminder(t *testing.T) {
	e := newEnv(t, "sqlite")
	a, b := e.standard(), e.standard()
	la, lb := e.order(a), e.order(b)
	codes := e.batch(letters.BatchOptions{})
	phone := a.Contacts[0].Value
	e.clk.Advance(14*day - time.Minute)
	e.deliver()
	if n := e.sent.count(phone, "Введите код"); n != 0 {
		t.Errorf("%d reminders before 14 days", n)
	}
	if err := e.confirm(b, codes[lb.ID]); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Minute)
	e.deliver()
	if n := e.sent.count(phone, "Введите код до 01.04.2026"); n != 1 {
		t.Errorf("%d reminders at 14 days, want 1", n)
	}
	if got := e.letter(la.ID); !got.RemindedAt.Equal(t0.Add(14 * day)) {
		t.Errorf("RemindedAt = %v", got.RemindedAt)
	}
	if n := e.sent.count(b.Contacts[0].Value, "Введите код"); n != 0 {
		t.Errorf("%d reminders for a used code", n)
	}
	// The job runs again (a retry after a crash): no second reminder.
	if err := e.svc.Handle(context.Background(), reminderJob(la.ID)); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	if n := e.sent.count(phone, "Введите код"); n != 1 {
		t.Errorf("%d reminders after a repeated job, want 1", n)
	}
}

// TestTracking: the post's reports move letters on; bad reports change nothing.
func TestTracking(t *testing.T) {
	e := newEnv(t, "sqlite")
	a, b := e.standard(), e.standard()
	la, lb := e.order(a), e.order(b)
	codes := e.batch(letters.BatchOptions{Hold: true})
	if got := e.letter(la.ID); got.State != letters.Batched || !got.SentAt.IsZero() {
		t.Fatalf("held letter: %+v", got)
	}
	if err := e.confirm(a, codes[la.ID]); code(err) != "letter_not_sent" {
		t.Errorf("code of a held letter: %v, want letter_not_sent", err)
	}
	ctx := context.Background()
	_, err := e.svc.Track(ctx, []letters.TrackingUpdate{{LetterID: la.ID, State: "sent", TrackingNumber: "RA1"},
		{LetterID: "nope", State: "delivered"}, {LetterID: lb.ID, State: "lost"}}, "admin")
	var ve *flow.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "[2].state" {
		t.Fatalf("bad state: %v", err)
	}
	_, err = e.svc.Track(ctx, []letters.TrackingUpdate{{LetterID: la.ID, State: "sent", TrackingNumber: "RA1"},
		{LetterID: "nope", State: "delivered"}}, "admin")
	if !errors.As(err, &ve) || ve.Fields[0].Field != "[1].letter_id" || ve.Fields[0].Code != "not_found" {
		t.Fatalf("unknown letter: %v", err)
	}
	if got := e.letter(la.ID); got.State != letters.Batched || got.TrackingNumber != "" {
		t.Errorf("a failed report changed the letter: %+v", got)
	}
	e.clk.Advance(day)
	res, err := e.svc.Track(ctx, []letters.TrackingUpdate{{LetterID: la.ID, State: "sent", TrackingNumber: "RA123456789RU"},
		{LetterID: lb.ID, State: "returned"}}, "admin")
	if err != nil || len(res) != 2 || res[0].State != letters.Sent || res[1].State != letters.Returned {
		t.Fatalf("Track = %+v, %v", res, err)
	}
	got := e.letter(la.ID)
	if !got.SentAt.Equal(t0.Add(day)) || !got.ExpiresAt.Equal(t0.Add(31*day)) || got.TrackingNumber != "RA123456789RU" {
		t.Errorf("sent by report: %+v", got)
	}
	res, err = e.svc.Track(ctx, []letters.TrackingUpdate{{LetterID: la.ID, State: "delivered"}}, "admin")
	if err != nil || res[0].State != letters.Delivered || !res[0].Changed {
		t.Errorf("delivered: %+v, %v", res, err)
	}
	if err := e.confirm(b, codes[lb.ID]); code(err) != "letter_not_sent" {
		t.Errorf("code of a returned letter: %v", err)
	}
	if err := e.confirm(a, codes[la.ID]); err != nil {
		t.Errorf("code of a delivered letter: %v", err)
	}
	res, err = e.svc.Track(ctx, []letters.TrackingUpdate{{LetterID: la.ID, State: "returned", TrackingNumber: "RA2"}}, "admin")
	if err != nil || res[0].State != letters.Used || res[0].Changed {
		t.Errorf("report about a used letter: %+v, %v", res, err)
	}
	st, _ := e.svc.Status(ctx, a.ID)
	if st.Letter.TrackingNumber != "RA2" {
		t.Errorf("tracking number %q", st.Letter.TrackingNumber)
	}
}

func TestParseTrackingCSV(t *testing.T) {
	in := "\ufeffstate,letter_id,tracking_number,note\nsent,L1,RA1,x\n\nDelivered, L2 ,,\n"
	got, err := letters.ParseTrackingCSV(strings.NewReader(in))
	want := []letters.TrackingUpdate{{LetterID: "L1", TrackingNumber: "RA1", State: "sent"}, {LetterID: "L2", State: "delivered"}}
	if err != nil || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("ParseTrackingCSV = %+v, %v; want %+v", got, err, want)
	}
	if _, err := letters.ParseTrackingCSV(strings.NewReader("id,state\n")); err == nil {
		t.Error("a header without letter_id was accepted")
	}
}
