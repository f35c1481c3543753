// The referent's follow-up page: autosave of each answer (per card), conditional questions,
// and every answer saved before a button leaves the page. Without JavaScript the buttons
// post the whole form, which saves everything too.
(function () {
  "use strict";
  var form = document.getElementById("suivi-form");
  if (!form) return;
  var statusLine = document.getElementById("save-status");
  var pending = {};  // card key ("12" or "b") → {question id: value}
  var timer = null;

  function setStatus(state, text) { statusLine.dataset.state = state; statusLine.textContent = text; }
  function waiting() { return Object.keys(pending).length > 0; }
  function cardOf(element) { return element.closest("[data-card]"); }

  var flush = Answers.saver({
    url: form.dataset.autosave,
    csrf: form.querySelector("input[name=csrf_token]").value,
    setStatus: setStatus,
    offlineText: "Pas de connexion : vos dernières réponses ne sont pas encore enregistrées. Nouvel essai dans quelques secondes.",
    snapshot: function () { return waiting() ? JSON.parse(JSON.stringify(pending)) : null; },
    body: function (snapshot) {
      var body = { cards: {}, referent: snapshot.b || {} };
      Object.keys(snapshot).forEach(function (key) { if (key !== "b") body.cards[key] = snapshot[key]; });
      return body;
    },
    waiting: waiting,
    saved: function (snapshot, data) {
      Object.keys(snapshot).forEach(function (key) {
        Object.keys(snapshot[key]).forEach(function (id) {
          if (pending[key] && JSON.stringify(pending[key][id]) === JSON.stringify(snapshot[key][id])) delete pending[key][id];
        });
        if (pending[key] && !Object.keys(pending[key]).length) delete pending[key];
      });
      var errors = data.errors || {};
      Object.keys(errors).forEach(function (key) {
        var card = form.querySelector('[data-card="' + key + '"]');
        if (!card) return;
        Object.keys(errors[key]).forEach(function (id) {
          var fieldset = card.querySelector('fieldset[data-question="' + id + '"]');
          if (fieldset) Answers.showError(fieldset, errors[key][id]);
        });
      });
    }
  });

  Answers.watch(form, function (fieldset) {
    var card = cardOf(fieldset);
    var key = card.dataset.card;
    pending[key] = pending[key] || {};
    pending[key][fieldset.dataset.question] = Answers.valueOf(fieldset);
    Answers.refreshConditions(card);  // a card's conditions follow its own answers
    clearTimeout(timer);
    timer = setTimeout(flush, fieldset.dataset.type.indexOf("texte") === 0 ? 800 : 0);
  });
  // A button (send a card, a quick answer, everything): first make sure the answers are saved.
  Answers.guardSubmit(form, flush, waiting, setStatus,
    "Pas de connexion : vos réponses sont encore sur cette page. Réessayez quand la connexion revient.",
    "enregistrer");
  form.querySelectorAll("[data-card]").forEach(Answers.refreshConditions);
})();
