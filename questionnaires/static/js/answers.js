// What the tablet bilan (bilan.js) and the referent's page (suivi.js) share: reading an answer
// from its fieldset, conditional questions, showing an error under a question and bringing the
// first one into view, answers kept in the browser until the server has them, the save queue,
// and the guard that sends every answer before a button leaves the page.
window.Answers = (function () {
  "use strict";

  function valueOf(fieldset) {
    var type = fieldset.dataset.type;
    var inputs = fieldset.querySelectorAll("input:not([type=hidden]), textarea");
    if (type === "choix_multiples" || type === "activites") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
    }
    if (type === "consentement") return inputs[0].checked;
    if (type === "texte_court" || type === "texte_long") return inputs[0].value;
    var checked = fieldset.querySelector("input:checked");
    if (!checked) return null;
    // A scale answer is a number, but its "Je ne sais pas" (value "nsp") stays a word.
    return type === "echelle4" && checked.value !== "nsp" ? parseInt(checked.value, 10) : checked.value;
  }

  // Put an answer back into its fieldset (one kept in the browser, newer than the page).
  function apply(fieldset, value) {
    var type = fieldset.dataset.type;
    // Not the hidden "--present" marker beside tick boxes: it is no answer.
    var inputs = fieldset.querySelectorAll("input:not([type=hidden]), textarea");
    if (type === "texte_court" || type === "texte_long") { inputs[0].value = value || ""; return; }
    if (type === "consentement") { inputs[0].checked = !!value; return; }
    var wanted = Array.isArray(value) ? value.map(String) : [String(value)];
    inputs.forEach(function (input) { input.checked = wanted.indexOf(input.value) !== -1; });
  }

  // A conditional question (data-shown-if, written by the server's renderer) shows only while
  // the answer it depends on is one of the allowed values. `scope` holds both questions: the
  // tablet's form, or one card of the referent's page (each card has its own answers).
  function refreshConditions(scope) {
    scope.querySelectorAll("fieldset[data-shown-if]").forEach(function (fieldset) {
      var rule = JSON.parse(fieldset.dataset.shownIf);
      var target = scope.querySelector('fieldset[data-question="' + rule.question + '"]');
      if (target) fieldset.hidden = rule["in"].indexOf(valueOf(target)) === -1;
    });
  }

  function showError(fieldset, message) {
    var line = fieldset.querySelector(".error");
    if (!line) {
      line = document.createElement("p");
      line.className = "error";
      line.setAttribute("role", "alert");
      fieldset.querySelector("legend").insertAdjacentElement("afterend", line);
    }
    line.textContent = message;
    fieldset.classList.add("question--error");
  }

  // A page sent back with questions in red opens on the first of them, focused, instead of at
  // the top with the red far below (a screen reader then reads its question and its error).
  function focusFirstError(scope) {
    var first = Array.prototype.find.call(scope.querySelectorAll(".question--error"),
      function (fieldset) { return !fieldset.hidden && fieldset.offsetParent !== null; });
    if (!first) return;
    first.setAttribute("tabindex", "-1");
    first.scrollIntoView({ block: "start" });
    first.focus({ preventScroll: true });
  }

  // Answers not yet on the server, kept in localStorage under `key` so that a reload, a closed
  // tab or a lost network loses nothing. Storage full or disabled: the page still works.
  function keep(key) {
    return {
      load: function () {
        try { return JSON.parse(window.localStorage.getItem(key)) || {}; } catch (e) { return {}; }
      },
      save: function (value) {
        try {
          if (Object.keys(value).length) window.localStorage.setItem(key, JSON.stringify(value));
          else window.localStorage.removeItem(key);
        } catch (e) { /* the server copy still counts */ }
      }
    };
  }

  // One save at a time: a call during a save waits for it, then sends what is still waiting;
  // "enregistré" shows only once nothing waits. Resolves true when everything is saved.
  // o: url, csrf, setStatus(state, text), snapshot() → copy of what waits or null,
  //    body(snapshot), saved(snapshot, data) (forget what was sent unchanged, show errors),
  //    waiting() → bool, offlineText.
  function saver(o) {
    var inflight = null, retry = null;
    function flush() {
      if (inflight) return inflight.then(flush);
      var snapshot = o.snapshot();
      if (!snapshot) return Promise.resolve(true);
      o.setStatus("saving", "Enregistrement…");
      inflight = fetch(o.url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": o.csrf, Accept: "application/json" },
        body: JSON.stringify(o.body(snapshot))
      }).then(function (response) {
        return response.json().catch(function () {
          throw { fatal: true, message: "La page a expiré : rechargez-la (vos réponses déjà enregistrées sont gardées)." };
        }).then(function (data) {
          if (!response.ok) throw { fatal: true, message: data.error };
          o.saved(snapshot, data);
          return true;
        });
      }).catch(function (error) {
        if (error && error.fatal) {
          o.setStatus("error", error.message || "Vos réponses n'ont pas pu être enregistrées.");
        } else {
          o.setStatus("offline", o.offlineText);
          clearTimeout(retry);
          retry = setTimeout(flush, 5000);
        }
        return false;
      }).then(function (ok) {
        inflight = null;
        if (!ok) return false;
        if (o.waiting()) return flush();
        o.setStatus("saved", "Réponses enregistrées.");
        return true;
      });
      return inflight;
    }
    window.addEventListener("online", flush);
    return flush;
  }

  // A button that posts the form first waits for every answer to be saved; without network it
  // says so and stays. A double tap posts once.
  function guardSubmit(form, flush, waiting, setStatus, offlineText, defaultAction) {
    var submitting = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (submitting) return;
      var submitter = event.submitter;
      flush().then(function (ok) {
        if (!ok && waiting()) { setStatus("offline", offlineText); return; }
        submitting = true;
        var action = document.createElement("input");
        action.type = "hidden";
        action.name = "action";
        action.value = submitter && submitter.value ? submitter.value : defaultAction;
        form.appendChild(action);
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
        form.submit();
      });
    });
  }

  // Answers are remembered on change (ticks, cards) and as text is typed.
  function watch(form, remember) {
    form.addEventListener("change", function (event) {
      var fieldset = event.target.closest("fieldset[data-question]");
      if (fieldset) remember(fieldset);
    });
    form.addEventListener("input", function (event) {
      var target = event.target;
      if (target.tagName !== "TEXTAREA" && target.type !== "text") return;
      var fieldset = target.closest("fieldset[data-question]");
      if (fieldset) remember(fieldset);
    });
  }

  return { valueOf: valueOf, apply: apply, refreshConditions: refreshConditions, showError: showError,
           focusFirstError: focusFirstError, keep: keep, saver: saver, guardSubmit: guardSubmit,
           watch: watch };
})();
