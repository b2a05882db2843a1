// Package web serves the citizen's HTML pages: registration with contact codes and the
// password step, sign-in, sign-out and the personal cabinet (with the connected sites and the
// history of who received the citizen's data), and the browser steps of single sign-on that
// the OpenID provider sends the citizen to: sign-in for a site, consent, the refusal page
// when the account does not meet a site's requirements, and the logged-out page with the
// sites' front-channel logout frames.
//
// Pages are rendered on the server with html/template and work without JavaScript; the
// embedded script only enhances them (live password rules, a password generator, a show/hide
// toggle, the automatic return to a site after logout). Every string is translated (Russian
// by default, English by Accept-Language, a site's ui_locales or the switch in the header),
// every form is guarded against cross-site posts, and every asset is embedded. The CSP stays
// strict: a page relaxes it only for the sites it leads to (form-action, frame-src).
//
// The pages call the same domain services as the JSON API (flow, session, account), ask the
// OpenID provider (package oidc) for each step of an authorization, and import no storage
// implementation.
package web
