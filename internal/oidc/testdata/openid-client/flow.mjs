// Drives one authorization-code flow against Civis with openid-client, as a strict
// independent relying party. Protocol (one JSON object per line):
//   out: {"authorize": URL}          — the Go test performs the browser steps
//   in:  callback URL
//   out: {"id_token_claims", "userinfo", "refreshed_sub", "introspection", "revoked_active"}
import * as client from 'openid-client';
import { createInterface } from 'node:readline';

const [issuer, clientId, secret, redirectUri] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const config = await client.discovery(new URL(issuer), clientId, secret, undefined,
  { execute: [client.allowInsecureRequests] });
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri, scope: 'openid fullname offline_access', state, nonce,
  code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
});
console.log(JSON.stringify({ authorize: url.href }));

const callback = (await lines.next()).value;
const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
  pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
});
const claims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
const introspection = await client.tokenIntrospection(config, refreshed.access_token);
await client.tokenRevocation(config, refreshed.access_token);
const after = await client.tokenIntrospection(config, refreshed.access_token);
console.log(JSON.stringify({
  id_token_claims: claims, userinfo, refreshed_sub: refreshed.claims()?.sub,
  introspection, revoked_active: after.active,
}));
