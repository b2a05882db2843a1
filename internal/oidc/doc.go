// Package oidc is Civis's OpenID Provider: an adapter that serves the protocol with
// github.com/zitadel/oidc/v3/pkg/op (the only importer of that library) over Civis's own
// accounts, sessions, clients, grants, consents and signing keys. It adds what the library
// lacks: assurance levels (acr_values and an essential acr in the claims parameter),
// confirmation-method refusal, consent, pairwise subjects, refresh-token rotation with reuse
// detection, the RFC 9207 iss parameter, pushed authorization requests, and single logout
// (back-channel tokens sent by durable jobs, front-channel as the fallback page).
//
// The browser steps (sign-in, consent, "your level is too low") are pages of package web;
// Interaction tells them what to show next.
package oidc
