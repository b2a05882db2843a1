// Civis profile page: progressive enhancement only. Every form works without this file.
// It checks fields as the citizen types with the rules of the server (internal/proofing,
// DOMAIN.md section 3 for the check digits) and the server's own messages, which the page
// carries; shows only the fields of the chosen identity document; and, while the registries
// check the data, polls the page for their answers.
(function () {
  "use strict";

  var messages = {};

  // message looks a field error up like the server: the most specific id first.
  function message(scope, field, code) {
    var keys = [];
    if (field) { keys.push("profile_err_" + scope + "_" + field + "_" + code); }
    keys.push("profile_err_" + scope + "_" + code, "profile_err_" + code);
    for (var i = 0; i < keys.length; i++) {
      if (messages[keys[i]]) { return messages[keys[i]]; }
    }
    return messages.profile_err_invalid || code;
  }

  // --- Values -------------------------------------------------------------------------------

  // compact trims and removes spaces and hyphens, as the server does for numbers.
  function compact(s) { return s.trim().replace(/[ -]/g, ""); }

  // Latin letters that look like the Cyrillic ones of plates and document series.
  var lookAlike = { A: "А", B: "В", E: "Е", K: "К", M: "М", H: "Н", O: "О", P: "Р", C: "С", T: "Т", Y: "У", X: "Х" };

  function upperCyrillic(s) {
    return compact(s).toUpperCase().replace(/[ABEKMHOPCTYX]/g, function (c) { return lookAlike[c]; });
  }

  function digitSum(d, weights) {
    var sum = 0;
    for (var i = 0; i < weights.length; i++) { sum += weights[i] * (d.charCodeAt(i) - 48); }
    return sum;
  }

  // snilsChecksumOK: S = Σ dᵢ·(10−i) over the first 9 digits; check = S mod 101 mod 100.
  // Numbers up to 001-001-998 predate the check and pass.
  function snilsChecksumOK(d) {
    if (parseInt(d.slice(0, 9), 10) <= 1001998) { return true; }
    var check = digitSum(d, [9, 8, 7, 6, 5, 4, 3, 2, 1]) % 101 % 100;
    return (check < 10 ? "0" : "") + check === d.slice(9);
  }

  function innDigit(d, weights) { return digitSum(d, weights) % 11 % 10; }

  function innChecksumOK(d) {
    if (d.length === 10) { return innDigit(d, [2, 4, 10, 3, 5, 9, 4, 6, 8]) === +d[9]; }
    return innDigit(d, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === +d[10] &&
      innDigit(d, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === +d[11];
  }

  // parseDate reads DD.MM.YYYY (also with / or -, one-digit day and month) or YYYY-MM-DD;
  // it returns a UTC Date or null.
  function parseDate(s) {
    s = s.trim();
    var m = /^(\d{1,2})[.\/-](\d{1,2})[.\/-](\d{4})$/.exec(s);
    var y, mo, d;
    if (m) {
      y = +m[3]; mo = +m[2]; d = +m[1];
    } else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s))) {
      y = +m[1]; mo = +m[2]; d = +m[3];
    } else {
      return null;
    }
    var t = new Date(Date.UTC(y, mo - 1, d));
    if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) { return null; }
    return t;
  }

  function today() {
    var n = new Date();
    return new Date(Date.UTC(n.getFullYear(), n.getMonth(), n.getDate()));
  }

  function addYears(t, n) {
    return new Date(Date.UTC(t.getUTCFullYear() + n, t.getUTCMonth(), t.getUTCDate()));
  }

  // --- Rules: each returns null (fine) or {code, partial}; partial means more typing may
  // make the value right, so the error waits for the citizen to leave the field. ------------

  function fail(code, partial) { return { code: code, partial: !!partial }; }

  function digitsRule(n, code) {
    return function (v) {
      var d = compact(v);
      if (!/^\d*$/.test(d) || d.length > n) { return fail(code); }
      return d.length < n ? fail(code, true) : null;
    };
  }

  function patternRule(re, n, code) {
    return function (v) {
      var s = upperCyrillic(v);
      if (re.test(s)) { return null; }
      return fail(code, s.length < n);
    };
  }

  function countryRule(v) {
    var s = v.trim().toUpperCase();
    if (/^[A-Z]{3}$/.test(s)) { return null; }
    return fail("country_invalid", /^[A-Za-z]{0,2}$/.test(v.trim()));
  }

  function dateRule(v) {
    var t = parseDate(v);
    if (!t) { return { err: fail("date_invalid", /^[\d.\/-]{0,9}$/.test(v.trim())) }; }
    if (t.getUTCFullYear() < 1900) { return { err: fail("date_too_early") }; }
    return { t: t };
  }

  function pastDateRule(v) {
    var r = dateRule(v);
    if (!r.err && r.t > today()) { r.err = fail("date_in_future"); }
    return r;
  }

  var firstRFPassport = new Date(Date.UTC(1997, 6, 8));

  var rules = {
    name: function (v) {
      var s = v.trim().replace(/\s+/g, " ");
      if (Array.from(s).length > 100) { return fail("too_long"); }
      if (/[^\p{L} \-'’.]/u.test(s) || (s && !/\p{L}/u.test(s))) { return fail("invalid_characters"); }
      return null;
    },
    text: function (v, input) {
      if (/[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/.test(v)) { return fail("invalid_characters"); }
      return input.maxLength > 0 && Array.from(v.trim()).length > input.maxLength ? fail("too_long") : null;
    },
    country: countryRule,
    doc_country: function (v) {
      var r = countryRule(v);
      return r || (v.trim().toUpperCase() === "RUS" ? fail("country_invalid") : null);
    },
    snils: function (v) {
      var d = compact(v);
      if (!/^\d*$/.test(d) || d.length > 11) { return fail("snils_invalid"); }
      if (d.length < 11) { return fail("snils_invalid", true); }
      return snilsChecksumOK(d) ? null : fail("snils_checksum");
    },
    inn: function (v) {
      var d = v.trim();
      if (!/^\d*$/.test(d) || d.length > 12) { return fail("inn_invalid"); }
      if (d.length < 12) { return fail(d.length === 10 && !innChecksumOK(d) ? "inn_checksum" : "inn_invalid", true); }
      return innChecksumOK(d) ? null : fail("inn_checksum");
    },
    rf_series: digitsRule(4, "series_invalid"),
    digits2: digitsRule(2, "series_invalid"),
    digits6: digitsRule(6, "number_invalid"),
    digits7: digitsRule(7, "number_invalid"),
    digits16: digitsRule(16, "number_invalid"),
    department_code: digitsRule(6, "department_code_invalid"),
    doc_number: function (v, input) {
      if (docType(input.form) === "RF_PASSPORT") { return digitsRule(6, "number_invalid")(v); }
      var d = compact(v).toUpperCase();
      if (!/^[0-9A-Z]*$/.test(d) || d.length > 20) { return fail("number_invalid"); }
      return d.length < 4 ? fail("number_invalid", true) : null;
    },
    doc_series: patternRule(/^\d{2}(\d{2}|[А-ЯЁ]{2})$/, 4, "series_invalid"),
    military_series: patternRule(/^[А-ЯЁ]{2}$/, 2, "series_invalid"),
    plate: patternRule(/^([АВЕКМНОРСТУХ]\d{3}[АВЕКМНОРСТУХ]{2}|\d{4}[АВЕКМНОРСТУХ]{2}|[АВЕКМНОРСТУХ]{2}\d{4})\d{2,3}$/, 8, "plate_invalid"),
    zip_code: function (v, input) {
      var country = fieldOf(input.form, "country");
      var c = country ? country.value.trim().toUpperCase() : "";
      if (c !== "" && c !== "RUS") { return Array.from(v.trim()).length > 12 ? fail("too_long") : null; }
      return digitsRule(6, "zip_code_invalid")(v);
    },
    birth_date: function (v) {
      var r = pastDateRule(v);
      if (!r.err && addYears(r.t, 14) > today()) { return fail("too_young"); }
      return r.err || null;
    },
    issue_date: function (v, input) {
      var r = pastDateRule(v);
      if (!r.err && scopeOf(input) === "rf_passport" && r.t < firstRFPassport) { return fail("date_too_early"); }
      return r.err || null;
    },
    expiry_date: function (v, input) {
      var r = dateRule(v);
      if (r.err) { return r.err; }
      var issue = fieldOf(input.form, "issue_date");
      var issued = issue ? parseDate(issue.value) : null;
      if (issued && r.t <= issued) { return fail("expiry_before_issue"); }
      return r.t < today() ? fail("document_expired") : null;
    }
  };

  // --- Fields ---------------------------------------------------------------------------------

  function fieldOf(form, name) { return form ? form.querySelector('[data-field="' + name + '"]') : null; }

  function docType(form) {
    var sel = form && form.querySelector('select[data-check="doc_type"]');
    return sel ? sel.value : "";
  }

  // scopeOf names the rules the input follows; the identity document's depend on its type.
  function scopeOf(input) {
    var scope = input.dataset.scope;
    if (scope === "id_doc") {
      var t = docType(input.form);
      if (t === "RF_PASSPORT") { return "rf_passport"; }
      if (t === "FRGN_PASS") { return "frgn_pass"; }
    }
    return scope;
  }

  function checked(input) {
    return !input.disabled && !input.readOnly && input.type !== "radio" && rules[input.dataset.check] &&
      !input.closest(".field[hidden]");
  }

  // verdict checks one input: null, or {code, partial}.
  function verdict(input) {
    var v = input.value;
    if (v.trim() === "") {
      var required = input.required || (input.dataset.requiredFor && input.dataset.requiredFor === docType(input.form));
      return required ? fail("required", true) : null;
    }
    return rules[input.dataset.check](v, input);
  }

  function describedBy(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) { ids.unshift(id); }
    if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); } else { input.removeAttribute("aria-describedby"); }
  }

  // show puts text under the input's label as its error, or removes the error ("" text).
  function show(input, text) {
    var wrap = input.closest(".field");
    var id = input.id + "-error";
    var p = document.getElementById(id);
    if (!text) {
      if (p) { p.remove(); }
      if (wrap) { wrap.classList.remove("field-invalid"); }
      input.removeAttribute("aria-invalid");
      describedBy(input, id, false);
      return;
    }
    if (!p) {
      p = document.createElement("p");
      p.className = "field-error";
      p.id = id;
      input.parentNode.insertBefore(p, input);
    }
    p.textContent = text;
    if (wrap) { wrap.classList.add("field-invalid"); }
    input.setAttribute("aria-invalid", "true");
    describedBy(input, id, true);
  }

  function shown(input) { return input.getAttribute("aria-invalid") === "true"; }

  // validate checks input and shows the verdict; while typing (live), an error that more
  // typing may fix waits, unless the field already shows one. It reports whether the value
  // is fine.
  function validate(input, live) {
    if (!checked(input)) { return true; }
    var r = verdict(input);
    if (!r) {
      show(input, "");
      return true;
    }
    if (!(live && r.partial && !shown(input))) {
      show(input, message(scopeOf(input), input.dataset.field, r.code));
    }
    return false;
  }

  // blankForm reports whether every typed field of the form is empty (the form then removes
  // its item, as on the server).
  function blankForm(form) {
    return Array.prototype.every.call(form.querySelectorAll('input[type="text"]'), function (i) {
      var f = i.dataset.field;
      return f === "citizenship" || f === "country" || i.value.trim() === "";
    });
  }

  function toggleDocFields(form) {
    var t = docType(form);
    form.querySelectorAll(".field[data-doc-type]").forEach(function (wrap) {
      var on = wrap.dataset.docType === t;
      wrap.hidden = !on;
      wrap.querySelectorAll("input").forEach(function (i) { i.disabled = !on; });
    });
  }

  var dirty = false;

  function enhanceForm(form) {
    if (form.querySelector('select[data-check="doc_type"]')) {
      toggleDocFields(form);
      form.addEventListener("change", function (e) {
        if (e.target.dataset.check !== "doc_type") { return; }
        toggleDocFields(form);
        form.querySelectorAll('[aria-invalid="true"]').forEach(function (i) { validate(i, false); });
      });
    }
    form.addEventListener("input", function (e) {
      dirty = true;
      validate(e.target, true);
      if (e.target.dataset.field === "issue_date") {
        var exp = fieldOf(form, "expiry_date");
        if (exp && shown(exp)) { validate(exp, false); }
      }
    });
    form.addEventListener("focusout", function (e) {
      if (e.target.value !== undefined && e.target.value.trim() !== "") { validate(e.target, false); }
    });
    form.addEventListener("submit", function (e) {
      if ((e.submitter && e.submitter.value === "clear") || blankForm(form)) { return; }
      var first = null;
      form.querySelectorAll("[data-check]").forEach(function (i) {
        if (!validate(i, false) && !first) { first = i; }
      });
      if (first) {
        e.preventDefault();
        first.focus();
      }
    });
  }

  // --- Registry checks ------------------------------------------------------------------------

  var pollEvery = 4000;

  // poll reloads the page's account of the checks while they run: a new state of a check
  // replaces the section; the end of the check reloads the page (the level and the forms
  // change), unless the citizen is typing in a form.
  function poll() {
    var section = document.getElementById("verification");
    if (!section || section.dataset.state !== "checking" || !window.fetch || !window.DOMParser) { return; }
    var note = document.getElementById("profile-polling");
    if (note) { note.hidden = false; }
    window.setTimeout(function () {
      window.fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
        .then(function (res) { return res.ok ? res.text() : ""; })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("verification");
          if (!fresh) { return; } // signed out meanwhile: nothing more to show
          if (fresh.dataset.signature === section.dataset.signature) { return poll(); }
          if (fresh.dataset.state !== "checking" && !dirty) { return window.location.reload(); }
          section.replaceWith(document.importNode(fresh, true));
          var level = doc.getElementById("profile-level");
          var mine = document.getElementById("profile-level");
          if (level && mine) { mine.textContent = level.textContent; }
          poll();
        })
        .catch(poll);
    }, pollEvery);
  }

  function init() {
    var holder = document.getElementById("profile-messages");
    if (!holder) { return; }
    try { messages = JSON.parse(holder.dataset.messages || "{}"); } catch (e) { messages = {}; }
    document.querySelectorAll("form.profile-form").forEach(function (form) {
      if (form.dataset.locked !== "true") {
        enhanceForm(form);
      } else if (form.querySelector('select[data-check="doc_type"]')) {
        toggleDocFields(form);
      }
    });
    poll();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
