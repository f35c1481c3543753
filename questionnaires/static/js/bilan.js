// The tablet bilan: autosave of each answer, kept in the browser while offline,
// conditional questions, read-aloud, and a "Terminer" that leaves nothing behind.
// Without JavaScript every page still works: the buttons post the section.
(function () {
  "use strict";

  // "Terminer" and the goodbye page empty this origin's storage for the next person, except
  // answers that another participant could not send yet (network down when they left): those
  // are theirs, and go to the server at their next visit, never lost by someone else's tap.
  var ownKey = null;
  function clearStorage() {
    try {
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf("bilan-pending:") !== 0 || key === ownKey) window.localStorage.removeItem(key);
      });
      window.sessionStorage.clear();
    } catch (e) { /* private mode: nothing was stored */ }
  }
  // Before "Terminer", answers still waiting in the browser must reach the server: they would
  // be lost with the storage. Without network, Terminer waits and says why.
  var answersSafe = function () { return Promise.resolve(true); };
  document.querySelectorAll("form[data-finish]").forEach(function (finishForm) {
    finishForm.addEventListener("submit", function (event) {
      event.preventDefault();
      answersSafe().then(function (safe) {
        if (!safe || !navigator.onLine) {
          var line = document.getElementById("save-status");
          line.dataset.state = "offline";
          line.textContent = "Pas de réseau : attendez son retour, puis touchez de nouveau « Terminer ». " +
            "Vos réponses sont gardées sur la tablette.";
          return;
        }
        clearStorage();
        finishForm.submit();
      });
    });
  });
  if (document.querySelector("[data-cleared]")) clearStorage();

  // Read aloud, only where the browser can speak.
  if ("speechSynthesis" in window && window.SpeechSynthesisUtterance) {
    document.querySelectorAll("button.speak").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var utterance = new SpeechSynthesisUtterance(button.dataset.say);
        utterance.lang = "fr-FR";
        utterance.rate = 0.9;
        window.speechSynthesis.cancel();
        window.speechSynthesis.speak(utterance);
      });
    });
  }

  var form = document.getElementById("bilan-form");
  if (!form || form.hasAttribute("data-locked")) return;
  var statusLine = document.getElementById("save-status");
  var storageKey = "bilan-pending:" + form.dataset.owner;
  ownKey = storageKey;
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var pending = load();
  var timer = null;
  var submitting = false;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storageKey)) || {}; } catch (e) { return {}; }
  }
  function persist() {
    try {
      if (Object.keys(pending).length) window.localStorage.setItem(storageKey, JSON.stringify(pending));
      else window.localStorage.removeItem(storageKey);
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }
  function setStatus(state, text) {
    statusLine.dataset.state = state;
    statusLine.textContent = text;
  }

  function questions() { return form.querySelectorAll("fieldset[data-question]"); }
  function valueOf(fieldset) {
    var type = fieldset.dataset.type;
    var inputs = fieldset.querySelectorAll("input, textarea");
    if (type === "choix_multiples" || type === "activites") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
    }
    if (type === "consentement") return inputs[0].checked;
    if (type === "texte_court" || type === "texte_long") return inputs[0].value;
    var checked = fieldset.querySelector("input:checked");
    if (!checked) return null;
    return type === "echelle4" ? parseInt(checked.value, 10) : checked.value;
  }
  function apply(fieldset, value) {
    var type = fieldset.dataset.type;
    var inputs = fieldset.querySelectorAll("input, textarea");
    if (type === "texte_court" || type === "texte_long") { inputs[0].value = value || ""; return; }
    if (type === "consentement") { inputs[0].checked = !!value; return; }
    var wanted = Array.isArray(value) ? value.map(String) : [String(value)];
    inputs.forEach(function (input) { input.checked = wanted.indexOf(input.value) !== -1; });
  }
  function byId(id) { return form.querySelector('fieldset[data-question="' + id + '"]'); }

  // Conditional questions follow the answers on the page.
  function refreshConditions() {
    questions().forEach(function (fieldset) {
      if (!fieldset.dataset.shownIf) return;
      var rule = JSON.parse(fieldset.dataset.shownIf);
      var target = byId(rule.question);
      if (target) fieldset.hidden = rule["in"].indexOf(valueOf(target)) === -1;
    });
  }

  function remember(fieldset) {
    pending[fieldset.dataset.question] = valueOf(fieldset);
    persist();
    refreshConditions();
    clearTimeout(timer);
    timer = setTimeout(flush, fieldset.dataset.type.indexOf("texte") === 0 ? 800 : 0);
  }

  // One save at a time; a call during a save waits for it, then sends what is still waiting.
  var inflight = null;
  function flush() {
    if (inflight) return inflight.then(flush);
    var snapshot = JSON.parse(JSON.stringify(pending));
    if (!Object.keys(snapshot).length) return Promise.resolve(true);
    setStatus("saving", "Enregistrement…");
    inflight = fetch(form.dataset.autosave, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ answers: snapshot })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw { fatal: true, message: data.error };
        Object.keys(snapshot).forEach(function (key) {
          if (JSON.stringify(pending[key]) === JSON.stringify(snapshot[key])) delete pending[key];
        });
        persist();
        showErrors(data.errors || {});
        return true;
      });
    }).catch(function (error) {
      if (error && error.fatal) {
        setStatus("error", error.message || "Vos réponses n'ont pas pu être enregistrées.");
      } else {
        setStatus("offline", "Hors ligne — vos réponses sont gardées sur la tablette. Elles partiront dès le retour du réseau.");
        clearTimeout(retry);
        retry = setTimeout(flush, 5000);
      }
      return false;
    }).then(function (ok) {
      inflight = null;
      if (!ok) return false;
      // Answers given during this save go now; "enregistré" only once nothing waits.
      if (Object.keys(pending).length) return flush();
      setStatus("saved", "Réponses enregistrées.");
      return true;
    });
    return inflight;
  }
  var retry = null;

  function showErrors(errors) {
    Object.keys(errors).forEach(function (id) {
      var fieldset = byId(id);
      if (!fieldset) return;
      var line = fieldset.querySelector(".error");
      if (!line) {
        line = document.createElement("p");
        line.className = "error";
        line.setAttribute("role", "alert");
        fieldset.querySelector("legend").insertAdjacentElement("afterend", line);
      }
      line.textContent = errors[id];
      fieldset.classList.add("question--error");
    });
  }

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
  window.addEventListener("online", flush);
  answersSafe = function () {
    return flush().then(function (ok) { return ok || !Object.keys(pending).length; });
  };

  // Leaving the page (Suivant, Précédent, Envoyer): first make sure every answer is on the server.
  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    var submitter = event.submitter;
    event.preventDefault();
    flush().then(function (ok) {
      if (!ok && Object.keys(pending).length) {
        setStatus("offline", "Pas de réseau : vos réponses sont gardées sur la tablette. Réessayez quand le réseau revient.");
        return;
      }
      submitting = true;
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = submitter && submitter.value ? submitter.value : "suivant";
      form.appendChild(action);
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      form.submit();
    });
  });

  // Answers kept from an earlier visit without network are newer than the page: put them back.
  Object.keys(pending).forEach(function (id) {
    var fieldset = byId(id);
    if (fieldset) apply(fieldset, pending[id]);
  });
  refreshConditions();
  if (Object.keys(pending).length) flush();
})();
