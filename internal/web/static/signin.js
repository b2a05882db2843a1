// Civis sign-in pages: the proof of work asked after repeated failures, and passkeys
// (WebAuthn). Forms that need neither work without this file; those that do say so.
(function () {
  "use strict";

  function toBytes(b64url) {
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = window.atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function toB64url(buf) {
    var b = new Uint8Array(buf);
    var s = "";
    for (var i = 0; i < b.length; i++) { s += String.fromCharCode(b[i]); }
    return window.btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // ---- Proof of work: find a nonce such that SHA-256(challenge + nonce) starts with the
  // asked number of zero bits (the server checks it with one hash).

  function zeroBits(buf) {
    var b = new Uint8Array(buf);
    var n = 0;
    for (var i = 0; i < b.length; i++) {
      if (b[i] !== 0) { return n + Math.clz32(b[i]) - 24; }
      n += 8;
    }
    return n;
  }

  // solve hashes in batches and yields to the page between them, so that it stays usable.
  async function solve(challenge, bits) {
    var enc = new TextEncoder();
    var batch = 512;
    for (var start = 0; ; start += batch) {
      var work = [];
      for (var i = 0; i < batch; i++) {
        work.push(window.crypto.subtle.digest("SHA-256", enc.encode(challenge + (start + i))));
      }
      var hashes = await Promise.all(work);
      for (i = 0; i < batch; i++) {
        if (zeroBits(hashes[i]) >= bits) { return String(start + i); }
      }
      await new Promise(function (resolve) { window.setTimeout(resolve, 0); });
    }
  }

  function enhanceProofOfWork() {
    document.querySelectorAll("form[data-pow-challenge]").forEach(function (form) {
      var nonce = form.querySelector('input[name="pow_nonce"]');
      var status = form.querySelector(".pow-status");
      if (!nonce || !window.crypto || !window.crypto.subtle || !window.TextEncoder) { return; }
      var solved = false;
      var waiting = false;
      if (status) { status.textContent = status.dataset.solving; }
      form.addEventListener("submit", function (e) {
        if (!solved) { e.preventDefault(); waiting = true; }
      });
      solve(form.dataset.powChallenge, Number(form.dataset.powBits)).then(function (n) {
        nonce.value = n;
        solved = true;
        if (status) { status.textContent = status.dataset.solved; }
        if (waiting) { form.submit(); }
      });
    });
  }

  // ---- Passkeys: the server's options carry binary values as base64url; the browser's
  // answer goes back as JSON in a hidden field of an ordinary form.

  function creationOptions(o) {
    var pk = o.publicKey;
    pk.challenge = toBytes(pk.challenge);
    pk.user.id = toBytes(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return { publicKey: pk };
  }

  function requestOptions(o) {
    var pk = o.publicKey;
    pk.challenge = toBytes(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return { publicKey: pk };
  }

  function credentialJSON(c) {
    var r = c.response;
    var out = {
      id: c.id, rawId: toB64url(c.rawId), type: c.type,
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (c.authenticatorAttachment) { out.authenticatorAttachment = c.authenticatorAttachment; }
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) { out.response.userHandle = toB64url(r.userHandle); }
    }
    return JSON.stringify(out);
  }

  async function postJSON(url) {
    var res = await window.fetch(url, { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" } });
    var body = await res.json();
    if (!res.ok) { throw new Error(body.code || String(res.status)); }
    return body;
  }

  function showError(el) {
    if (el) { el.textContent = el.dataset.text; el.hidden = false; }
  }

  // withPasskey runs the button's ceremony, reporting a failure next to it.
  function withPasskey(button, errorEl, ceremony) {
    button.addEventListener("click", function (e) {
      e.preventDefault();
      if (errorEl) { errorEl.hidden = true; }
      button.disabled = true;
      ceremony().catch(function () {
        showError(errorEl);
        button.disabled = false;
      });
    });
  }

  function checked(id) {
    var el = document.getElementById(id);
    return el && el.checked ? "1" : "";
  }

  // Sign in with a passkey alone, from the sign-in page.
  function enhancePasskeyLogin() {
    var block = document.getElementById("passkey-login-block");
    var button = document.getElementById("passkey-login");
    var form = document.getElementById("passkey-login-form");
    if (!block || !button || !form) { return; }
    block.hidden = false;
    withPasskey(button, document.getElementById("passkey-login-error"), async function () {
      var start = await postJSON("/api/v1/passkeys/login/begin");
      var cred = await navigator.credentials.get(requestOptions(start.options));
      form.elements.login_id.value = start.login_id;
      form.elements.credential.value = credentialJSON(cred);
      form.elements["public"].value = checked("public");
      form.submit();
    });
  }

  // A passkey as the second factor of a sign-in.
  function enhancePasskeySecondFactor() {
    var button = document.getElementById("passkey-second-factor");
    var form = document.getElementById("passkey-form");
    if (!button || !form) { return; }
    button.hidden = false;
    withPasskey(button, document.getElementById("passkey-error"), async function () {
      var start = await postJSON("/api/v1/sessions/" + encodeURIComponent(button.dataset.loginId) + "/passkey");
      var cred = await navigator.credentials.get(requestOptions(start.options));
      form.elements.credential.value = credentialJSON(cred);
      form.elements.remember.value = checked("remember");
      form.submit();
    });
  }

  // Add a passkey, from the security page.
  function enhancePasskeyAdd() {
    var form = document.getElementById("passkey-add-form");
    var button = document.getElementById("passkey-add");
    if (!form || !button) { return; }
    form.hidden = false;
    withPasskey(button, document.getElementById("passkey-add-error"), async function () {
      var start = await postJSON(form.dataset.options);
      var cred = await navigator.credentials.create(creationOptions(start.options));
      form.elements.ceremony_id.value = start.ceremony_id;
      form.elements.credential.value = credentialJSON(cred);
      form.submit();
    });
  }

  function init() {
    enhanceProofOfWork();
    if (!window.PublicKeyCredential || !navigator.credentials) { return; }
    document.querySelectorAll(".passkey-unsupported").forEach(function (p) { p.hidden = true; });
    enhancePasskeyLogin();
    enhancePasskeySecondFactor();
    enhancePasskeyAdd();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
