// Package signing manages the keys that sign ID tokens and logout tokens: ES256 by default,
// RS256 available, private halves sealed at rest, rotated with `civis keys rotate` while
// retired keys stay published until every token they signed has expired. Keys are parsed once
// and cached per node.
package signing
