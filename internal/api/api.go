package api

import (
	_ "embed"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/clientauth"
	"github.com/civis-id/civis/internal/deletion"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/partner"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/recovery"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/settings"
)

//go:embed openapi.json
var openapi []byte

// Handler serves the JSON API.
type Handler struct {
	Flows          *flow.Service
	Sessions       *session.Service
	Accounts       account.Store
	Profile        *proofing.Service
	MFA            *mfa.Service // second factors and passkeys
	Logger         *slog.Logger
	TrustedProxies []netip.Prefix

	// Account care: access recovery, settings, deletion and the event log.
	Recovery *recovery.Service
	Settings *settings.Service
	Deletion *deletion.Service
	Events   audit.Searcher

	// Partner, when set with PartnerAuth, serves the partner API for banks (partner.go).
	Partner     *partner.Service
	PartnerAuth *clientauth.Authenticator

	// Centers, when set, serves the directory of service centers.
	Centers *center.Service

	// Letters, when set, serves identity confirmation by a code in a registered letter.
	Letters *letters.Service

	// Operator, when set with OperatorAuth, serves the operator API for service centers'
	// systems and the activation links of enrolled citizens (operator.go).
	Operator     *operator.Service
	OperatorAuth *clientauth.Authenticator
}

// Mount registers the API routes on mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/registrations", h.startRegistration)
	mux.HandleFunc("GET /api/v1/registrations/{id}", h.getRegistration)
	mux.HandleFunc("POST /api/v1/registrations/{id}/confirm", h.confirm)
	mux.HandleFunc("POST /api/v1/registrations/{id}/resend", h.resend)
	mux.HandleFunc("POST /api/v1/registrations/{id}/password", h.setPassword)
	mux.HandleFunc("POST /api/v1/sessions", h.login)
	mux.HandleFunc("DELETE /api/v1/sessions/current", h.logout)
	mux.HandleFunc("POST /api/v1/sessions/current/reauth", h.reauth)
	mux.HandleFunc("POST /api/v1/sessions/{id}/second-factor", h.secondFactor)
	mux.HandleFunc("POST /api/v1/sessions/{id}/sms", h.sendLoginCode)
	mux.HandleFunc("POST /api/v1/sessions/{id}/passkey", h.loginPasskeyOptions)
	mux.HandleFunc("POST /api/v1/passkeys/login/begin", h.passkeyLoginBegin)
	mux.HandleFunc("POST /api/v1/passkeys/login/finish", h.passkeyLoginFinish)
	mux.HandleFunc("GET /api/v1/me/second-factors", h.secondFactors)
	mux.HandleFunc("POST /api/v1/me/second-factors/sms", h.enableSMS)
	mux.HandleFunc("DELETE /api/v1/me/second-factors/sms", h.disableSMS)
	mux.HandleFunc("POST /api/v1/me/totp", h.beginTOTP)
	mux.HandleFunc("POST /api/v1/me/totp/confirm", h.confirmTOTP)
	mux.HandleFunc("DELETE /api/v1/me/totp", h.disableTOTP)
	mux.HandleFunc("POST /api/v1/me/recovery-codes", h.newRecoveryCodes)
	mux.HandleFunc("POST /api/v1/me/passkeys/register/begin", h.beginPasskeyRegistration)
	mux.HandleFunc("POST /api/v1/me/passkeys/register/finish", h.finishPasskeyRegistration)
	mux.HandleFunc("DELETE /api/v1/me/passkeys/{id}", h.removePasskey)
	mux.HandleFunc("GET /api/v1/me", h.me)
	mux.HandleFunc("GET /api/v1/me/profile", h.getProfile)
	mux.HandleFunc("PUT /api/v1/me/profile", h.updateProfile)
	mux.HandleFunc("POST /api/v1/me/profile/submit", h.submitProfile)
	mux.HandleFunc("GET /api/v1/me/profile/checks", h.profileChecks)
	mux.HandleFunc("POST /api/v1/recoveries", h.startRecovery)
	mux.HandleFunc("GET /api/v1/recoveries/{id}", h.getRecovery)
	mux.HandleFunc("POST /api/v1/recoveries/{id}/resend", h.resendRecovery)
	mux.HandleFunc("POST /api/v1/recoveries/{id}/confirm", h.confirmRecovery)
	mux.HandleFunc("POST /api/v1/recoveries/{id}/identifier", h.identifyRecovery)
	mux.HandleFunc("POST /api/v1/recoveries/{id}/answer", h.answerRecovery)
	mux.HandleFunc("POST /api/v1/recoveries/{id}/password", h.recoveryPassword)
	mux.HandleFunc("GET /api/v1/me/sessions", h.listSessions)
	mux.HandleFunc("DELETE /api/v1/me/sessions", h.endSessions)
	mux.HandleFunc("DELETE /api/v1/me/sessions/{id}", h.endSession)
	mux.HandleFunc("PUT /api/v1/me/password", h.changePassword)
	mux.HandleFunc("POST /api/v1/me/contacts", h.startContactChange)
	mux.HandleFunc("POST /api/v1/me/contacts/{id}/confirm", h.confirmContactChange)
	mux.HandleFunc("GET /api/v1/me/notifications", h.getNotifications)
	mux.HandleFunc("PUT /api/v1/me/notifications", h.putNotifications)
	mux.HandleFunc("GET /api/v1/me/secret-question", h.getSecretQuestion)
	mux.HandleFunc("PUT /api/v1/me/secret-question", h.putSecretQuestion)
	mux.HandleFunc("DELETE /api/v1/me/secret-question", h.deleteSecretQuestion)
	mux.HandleFunc("GET /api/v1/me/events", h.listEvents)
	mux.HandleFunc("DELETE /api/v1/me", h.deleteAccount)
	mux.HandleFunc("GET /api/v1/centers", h.searchCenters)
	mux.HandleFunc("GET /api/v1/centers/{id}", h.getCenter)
	mux.HandleFunc("GET /api/v1/me/letters", h.getLetters)
	mux.HandleFunc("POST /api/v1/me/letters", h.orderLetter)
	mux.HandleFunc("POST /api/v1/me/letters/confirm", h.confirmLetter)
	mux.HandleFunc("POST /api/v1/partner/confirmations", h.partnerConfirm)
	mux.HandleFunc("POST /api/v1/partner/registrations", h.partnerRegister)
	mux.HandleFunc("GET /api/v1/partner/requests/{id}", h.partnerRequest)
	mux.HandleFunc("POST /api/v1/operator/registrations", h.operatorRegister)
	mux.HandleFunc("POST /api/v1/operator/confirmations", h.operatorConfirm)
	mux.HandleFunc("POST /api/v1/operator/restorations", h.operatorRestore)
	mux.HandleFunc("POST /api/v1/operator/duplicates", h.operatorDuplicate)
	mux.HandleFunc("POST /api/v1/operator/search", h.operatorSearch)
	mux.HandleFunc("GET /api/v1/operator/accounts", h.operatorAccounts)
	mux.HandleFunc("GET /api/v1/operator/requests/{request_id}", h.operatorRequest)
	mux.HandleFunc("POST /api/v1/activations/{token}", h.activate)
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)
	mux.HandleFunc("/api/", notFound)
}

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapi)
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	httpx.WriteProblem(w, httpx.NewProblem("not_found", "no such API endpoint"))
}

func (h *Handler) meta(r *http.Request) flow.Meta {
	return flow.Meta{IP: httpx.ClientIP(r, h.TrustedProxies), UserAgent: r.UserAgent(), Locale: httpx.Locale(r)}
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, h.Logger, err)
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
