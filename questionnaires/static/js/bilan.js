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
  var pending = load();
  var timer = null;

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
  function waiting() { return Object.keys(pending).length > 0; }

  function apply(fieldset, value) {
    var type = fieldset.dataset.type;
    // Not the hidden "--present" marker beside tick boxes: it is no answer.
    var inputs = fieldset.querySelectorAll("input:not([type=hidden]), textarea");
    if (type === "texte_court" || type === "texte_long") { inputs[0].value = value || ""; return; }
    if (type === "consentement") { inputs[0].checked = !!value; return; }
    var wanted = Array.isArray(value) ? value.map(String) : [String(value)];
    inputs.forEach(function (input) { input.checked = wanted.indexOf(input.value) !== -1; });
  }
  function byId(id) { return form.querySelector('fieldset[data-question="' + id + '"]'); }

  var flush = Answers.saver({
    url: form.dataset.autosave,
    csrf: form.querySelector("input[name=csrf_token]").value,
    setStatus: setStatus,
    offlineText: "Hors ligne — vos réponses sont gardées sur la tablette. Elles partiront dès le retour du réseau.",
    snapshot: function () { return waiting() ? JSON.parse(JSON.stringify(pending)) : null; },
    body: function (snapshot) { return { answers: snapshot }; },
    waiting: waiting,
    saved: function (snapshot, data) {
      Object.keys(snapshot).forEach(function (key) {
        if (JSON.stringify(pending[key]) === JSON.stringify(snapshot[key])) delete pending[key];
      });
      persist();
      var errors = data.errors || {};
      Object.keys(errors).forEach(function (id) {
        var fieldset = byId(id);
        if (fieldset) Answers.showError(fieldset, errors[id]);
      });
    }
  });

  Answers.watch(form, function (fieldset) {
    pending[fieldset.dataset.question] = Answers.valueOf(fieldset);
    persist();
    Answers.refreshConditions(form);
    clearTimeout(timer);
    timer = setTimeout(flush, fieldset.dataset.type.indexOf("texte") === 0 ? 800 : 0);
  });
  answersSafe = function () {
    return flush().then(function (ok) { return ok || !waiting(); });
  };
  // Leaving the page (Suivant, Précédent, Envoyer): first make sure every answer is on the server.
  Answers.guardSubmit(form, flush, waiting, setStatus,
    "Pas de réseau : vos réponses sont gardées sur la tablette. Réessayez quand le réseau revient.",
    "suivant");

  // Answers kept from an earlier visit without network are newer than the page: put them back.
  Object.keys(pending).forEach(function (id) {
    var fieldset = byId(id);
    if (fieldset) apply(fieldset, pending[id]);
  });
  Answers.refreshConditions(form);
  if (waiting()) flush();
})();
