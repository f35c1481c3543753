// The tablet bilan's form: autosave of each answer, kept in the browser while offline (under
// the participant's keeper token, so that any later session on this tablet can send them),
// conditional questions, and the first question in error brought into view. The session
// around it ("Changer de personne", the inactivity wipe, read-aloud) is tablet.js.
// Without JavaScript every page still works: the buttons post the section.
(function () {
  "use strict";
  var form = document.getElementById("bilan-form");
  if (!form) return;
  Answers.focusFirstError(form);
  if (form.hasAttribute("data-locked")) return;
  var statusLine = document.getElementById("save-status");
  var storageKey = "bilan-pending:" + form.dataset.owner;
  var kept = Answers.keep(storageKey);
  var pending = kept.load();
  // Pages before the keeper token kept answers under a piece of the link's salt: take them over.
  var legacy = Answers.keep("bilan-pending:" + form.dataset.legacyOwner);
  pending = Object.assign(legacy.load(), pending);
  legacy.save({});
  var timer = null;

  function persist() { kept.save(pending); }
  function setStatus(state, text) {
    statusLine.dataset.state = state;
    statusLine.textContent = text;
  }
  function waiting() { return Object.keys(pending).length > 0; }

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
  // Before the session ends, answers still waiting in the browser must reach the server.
  Tablet.own(storageKey, function () {
    return flush().then(function (ok) { return ok || !waiting(); });
  });
  // Leaving the page (Suivant, Précédent, Envoyer): first make sure every answer is on the server.
  Answers.guardSubmit(form, flush, waiting, setStatus,
    "Pas de réseau : vos réponses sont gardées sur la tablette. Réessayez quand le réseau revient.",
    "suivant");

  // Answers kept from an earlier visit without network are newer than the page: put them back.
  Object.keys(pending).forEach(function (id) {
    var fieldset = byId(id);
    if (fieldset) Answers.apply(fieldset, pending[id]);
  });
  persist();
  Answers.refreshConditions(form);
  if (waiting()) flush();
})();
