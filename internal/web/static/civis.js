// Civis citizen pages: progressive enhancement only. Every form works without this file.
(function () {
  "use strict";

  // The same checks as the server's password policy (credential.CheckPassword), except the
  // common-password list, which the server checks on submit.
  var rules = {
    length: function (pw) { var n = Array.from(pw).length; return n >= 8 && n <= 128; },
    lower: function (pw) { return /[a-z]/.test(pw); },
    upper: function (pw) { return /[A-Z]/.test(pw); },
    digit: function (pw) { return /[0-9]/.test(pw); },
    special: function (pw) { return /[!-\/:-@\[-`{-~]/.test(pw); }
  };

  // Generated passwords leave out look-alikes (0/O/o, 1/l/I), like the server's generator.
  var classes = ["abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!#$%&*+-=?@^_"];
  var generatedLength = 16;

  // randomIndex returns a uniform integer in [0, n) from crypto.getRandomValues.
  function randomIndex(n) {
    var limit = Math.floor(0x100000000 / n) * n;
    var buf = new Uint32Array(1);
    do { window.crypto.getRandomValues(buf); } while (buf[0] >= limit);
    return buf[0] % n;
  }

  // generatePassword draws one character of each class, fills up from all, and shuffles.
  function generatePassword() {
    var all = classes.join("");
    var chars = classes.map(function (c) { return c[randomIndex(c.length)]; });
    while (chars.length < generatedLength) { chars.push(all[randomIndex(all.length)]); }
    for (var i = chars.length - 1; i > 0; i--) {
      var j = randomIndex(i + 1);
      var t = chars[i]; chars[i] = chars[j]; chars[j] = t;
    }
    return chars.join("");
  }

  function meetsAll(pw) {
    return Object.keys(rules).every(function (k) { return rules[k](pw); });
  }

  function updateRules(list, pw) {
    list.querySelectorAll("li[data-rule]").forEach(function (li) {
      var check = rules[li.dataset.rule];
      var state = li.querySelector(".rule-state");
      if (!check) {
        // Checked by the server only: a verdict on an earlier password no longer holds.
        li.classList.remove("rule-met", "rule-unmet");
        if (state) { state.textContent = ""; }
        return;
      }
      var met = check(pw);
      li.classList.toggle("rule-met", met);
      li.classList.toggle("rule-unmet", !met && pw.length > 0);
      if (state) { state.textContent = pw.length > 0 ? " — " + (met ? list.dataset.met : list.dataset.unmet) : ""; }
    });
  }

  function setVisible(input, toggle, visible) {
    input.type = visible ? "text" : "password";
    if (toggle) {
      toggle.setAttribute("aria-pressed", visible ? "true" : "false");
      toggle.textContent = visible ? toggle.dataset.hide : toggle.dataset.show;
    }
  }

  function enhancePassword() {
    var input = document.getElementById("password");
    var list = document.getElementById("password-rule-list");
    if (!input || !list) { return; }
    var toggle = document.getElementById("password-toggle");
    var generate = document.getElementById("password-generate");
    var status = document.getElementById("password-generated");
    input.addEventListener("input", function () { updateRules(list, input.value); });
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () { setVisible(input, toggle, input.type === "password"); });
    }
    if (generate && window.crypto && window.crypto.getRandomValues) {
      generate.hidden = false;
      generate.addEventListener("click", function () {
        var pw;
        do { pw = generatePassword(); } while (!meetsAll(pw));
        input.value = pw;
        setVisible(input, toggle, true);
        updateRules(list, pw);
        if (status) { status.textContent = status.dataset.text; status.hidden = false; }
        input.focus();
        input.select();
      });
    }
  }

  // Move focus to the error summary so that keyboard and screen-reader users start there.
  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  // After signing out through a site, the page loads the sites' logout pages in hidden
  // frames; continue to the site once they have loaded (the window's load event waits for
  // them), or after 3 seconds at most.
  function continueAfterLogout() {
    var link = document.getElementById("logged-out-continue");
    if (!link || link.dataset.auto !== "true") { return; }
    var note = document.getElementById("logged-out-auto");
    if (note) { note.hidden = false; }
    var gone = false;
    function go() {
      if (gone) { return; }
      gone = true;
      window.location.assign(link.href);
    }
    window.setTimeout(go, 3000);
    if (document.readyState === "complete") {
      go();
    } else {
      window.addEventListener("load", go);
    }
  }

  function init() {
    enhancePassword();
    focusErrors();
    continueAfterLogout();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
