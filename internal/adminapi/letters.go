package adminapi

import (
	"net/http"

	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/letters"
)

// TrackingUpdate is one element of the body of POST /api/v1/admin/letters/tracking: what the
// post reports about a letter.
type TrackingUpdate struct {
	LetterID       string `json:"letter_id"`
	TrackingNumber string `json:"tracking_number"`
	State          string `json:"state"`
}

// TrackingResult says what an update did.
type TrackingResult struct {
	LetterID string `json:"letter_id"`
	State    string `json:"state"`
	Changed  bool   `json:"changed"`
}

// TrackingResults is the answer of POST /api/v1/admin/letters/tracking.
type TrackingResults struct {
	Letters []TrackingResult `json:"letters"`
}

// Updates converts the body for letters.Service.Track.
func Updates(in []TrackingUpdate) []letters.TrackingUpdate {
	out := make([]letters.TrackingUpdate, len(in))
	for i, u := range in {
		out[i] = letters.TrackingUpdate{LetterID: u.LetterID, TrackingNumber: u.TrackingNumber,
			State: letters.TrackingState(u.State)}
	}
	return out
}

// Results converts what letters.Service.Track did.
func Results(in []letters.TrackingResult) TrackingResults {
	out := TrackingResults{Letters: []TrackingResult{}}
	for _, r := range in {
		out.Letters = append(out.Letters, TrackingResult{LetterID: r.LetterID, State: string(r.State), Changed: r.Changed})
	}
	return out
}

func (h *Handler) letterTracking(w http.ResponseWriter, r *http.Request) {
	if h.Letters == nil {
		httpx.WriteProblem(w, httpx.NewProblem("not_found", "letters are not offered by this server"))
		return
	}
	var in []TrackingUpdate
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	res, err := h.Letters.Track(r.Context(), Updates(in), "system")
	if err != nil {
		httpx.WriteError(w, r, h.Logger, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, Results(res))
}
