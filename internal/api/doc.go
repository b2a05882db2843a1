// Package api serves the self-service JSON API under /api/v1 (native apps and tests) and the
// dev outbox: the same flows as the HTML pages, with RFC 9457 problem answers and field-level
// errors. Its contract is the OpenAPI document it serves at /api/v1/openapi.json.
package api
