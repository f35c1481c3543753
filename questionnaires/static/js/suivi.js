// The referent's follow-up page: autosave of each answer (per card), kept in the browser until
// the server has it (a phone loses the network between two appointments), conditional
// questions, the situation that answers "des nouvelles ?" and hides the observations of someone
// lost from sight, the first question in error brought into view, and a person the team moved
// to another referent meanwhile skipped and named. Without JavaScript the buttons post the
// whole form, which saves everything too.
(function () {
  "use strict";
  var form = document.getElementById("suivi-form");
  if (!form) return;
  Answers.focusFirstError(form);
  var statusLine = document.getElementById("save-status");
  var kept = Answers.keep("suivi-pending:" + form.dataset.owner);
  var pending = kept.load();  // card key ("12" or "b") → {question id: value}
  var shown = form.querySelector("input[name=cartes]").value;
  var LOST = form.dataset.lost;
  var timer = null;

  function setStatus(state, text) { statusLine.dataset.state = state; statusLine.textContent = text; }
  function waiting() { return Object.keys(pending).length > 0; }
  function cardOf(element) { return element.closest("[data-card]"); }
  function persist() { kept.save(pending); }
  function question(card, id) { return card.querySelector('fieldset[data-question="' + id + '"]'); }

  // Someone the team gave to another referent while this page was open: their answers are not
  // taken any more. Forget them here, say whose, and take their card off the page.
  function skip(gone) {
    var names = gone.map(function (key) {
      delete pending[key];
      var link = document.querySelector('[data-person="' + key + '"] .people-step-name');
      var card = form.querySelector('[data-card="' + key + '"]');
      if (card) {
        card.replaceChildren();
        var line = document.createElement("p");
        line.className = "big";
        line.textContent = (card.dataset.name || "Cette personne") + " n'est plus dans votre liste : " +
          "l'équipe a changé son référent. Les réponses données ici depuis n'ont pas été enregistrées.";
        card.appendChild(line);
      }
      return link ? link.textContent : "une personne";
    });
    persist();
    return names.join(", ") + (gone.length > 1 ? " ne sont" : " n'est") + " plus dans votre liste : " +
      "l'équipe a changé de référent. Ces réponses-là n'ont pas été enregistrées ; les autres, si.";
  }

  var flush = Answers.saver({
    url: form.dataset.autosave,
    csrf: form.querySelector("input[name=csrf_token]").value,
    setStatus: setStatus,
    offlineText: "Pas de connexion : vos réponses sont gardées sur cet appareil. Elles partiront dès le retour du réseau.",
    snapshot: function () { return waiting() ? JSON.parse(JSON.stringify(pending)) : null; },
    body: function (snapshot) {
      var body = { cards: {}, referent: snapshot.b || {}, cartes: shown };
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
      persist();
      var errors = data.errors || {};
      Object.keys(errors).forEach(function (key) {
        var card = form.querySelector('[data-card="' + key + '"]');
        if (!card) return;
        Object.keys(errors[key]).forEach(function (id) {
          var fieldset = question(card, id);
          if (fieldset) Answers.showError(fieldset, errors[key][id]);
        });
      });
      if (data.gone && data.gone.length) {
        var message = skip(data.gone);
        // Shown once the save queue has written its own line.
        setTimeout(function () { setStatus("error", message); }, 0);
      }
    }
  });

  function remember(fieldset) {
    var key = cardOf(fieldset).dataset.card;
    pending[key] = pending[key] || {};
    pending[key][fieldset.dataset.question] = Answers.valueOf(fieldset);
    persist();
  }

  // The situation comes first: it answers "des nouvelles ?" when that is still blank (a known
  // situation means news; "perdu de vue" means none), and hides the observations of someone
  // lost from sight. Both stay visible and can be changed.
  function followSituation(card, situation, chosen) {
    card.querySelectorAll("[data-unless-lost]").forEach(function (box) {
      box.hidden = situation === LOST;
    });
    var news = question(card, "nouvelles");
    if (!chosen || !news || situation === null || Answers.valueOf(news) !== null) return;
    var input = news.querySelector('input[value="' + (situation === LOST ? "non" : "oui") + '"]');
    if (input) { input.checked = true; remember(news); }
  }

  Answers.watch(form, function (fieldset) {
    var card = cardOf(fieldset);
    remember(fieldset);
    if (fieldset.dataset.question === "situation") followSituation(card, Answers.valueOf(fieldset), true);
    Answers.refreshConditions(card);  // a card's conditions follow its own answers
    clearTimeout(timer);
    timer = setTimeout(flush, fieldset.dataset.type.indexOf("texte") === 0 ? 800 : 0);
  });
  // A button (send a card, a quick answer): first make sure the answers are saved.
  Answers.guardSubmit(form, flush, waiting, setStatus,
    "Pas de connexion : vos réponses sont gardées sur cet appareil. Réessayez quand la connexion revient.",
    "enregistrer");

  // Answers kept from an earlier visit without network are newer than the page: put them back.
  form.querySelectorAll("[data-card]").forEach(function (card) {
    var mine = pending[card.dataset.card] || {};
    Object.keys(mine).forEach(function (id) {
      var fieldset = question(card, id);
      if (fieldset) Answers.apply(fieldset, mine[id]);
    });
    var situation = question(card, "situation");
    if (situation) followSituation(card, Answers.valueOf(situation), false);
    Answers.refreshConditions(card);
  });
  if (waiting()) flush();
})();
