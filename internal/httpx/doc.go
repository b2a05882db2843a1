// Package httpx is the HTTP shell shared by the pages and the JSON APIs: RFC 9457 problem
// responses, JSON decoding with size limits, client metadata (IP behind trusted proxies,
// language), security headers, request ids and access logs without personal data.
package httpx
