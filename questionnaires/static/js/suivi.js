// The referent's follow-up page: autosave of each answer (per card), conditional questions,
// and every answer saved before a button leaves the page. Without JavaScript the buttons
// post the whole form, which saves everything too.
(function () {
  "use strict";
  var form = document.getElementById("suivi-form");
  if (!form) return;
  var statusLine = document.getElementById("save-status");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var pending = {};  // card key ("12" or "b") → {question id: value}
  var timer = null, retry = null, inflight = null, submitting = false;

  function setStatus(state, text) { statusLine.dataset.state = state; statusLine.textContent = text; }
  function cardOf(element) { return element.closest("[data-card]"); }
  function valueOf(fieldset) {
    var type = fieldset.dataset.type;
    var inputs = fieldset.querySelectorAll("input:not([type=hidden]), textarea");
    if (type === "choix_multiples") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
    }
    if (type === "texte_court" || type === "texte_long") return inputs[0].value;
    var checked = fieldset.querySelector("input:checked");
    if (!checked) return null;
    return type === "echelle4" ? parseInt(checked.value, 10) : checked.value;
  }

  // A conditional question follows the answers of its own card.
  function refresh(card) {
    card.querySelectorAll("fieldset[data-shown-if]").forEach(function (fieldset) {
      var rule = JSON.parse(fieldset.dataset.shownIf);
      var target = card.querySelector('fieldset[data-question="' + rule.question + '"]');
      if (target) fieldset.hidden = rule["in"].indexOf(valueOf(target)) === -1;
    });
  }

  function remember(fieldset) {
    var card = cardOf(fieldset);
    var key = card.dataset.card;
    pending[key] = pending[key] || {};
    pending[key][fieldset.dataset.question] = valueOf(fieldset);
    refresh(card);
    clearTimeout(timer);
    timer = setTimeout(flush, fieldset.dataset.type.indexOf("texte") === 0 ? 800 : 0);
  }

  function showErrors(errors) {
    Object.keys(errors).forEach(function (key) {
      var card = form.querySelector('[data-card="' + key + '"]');
      if (!card) return;
      Object.keys(errors[key]).forEach(function (id) {
        var fieldset = card.querySelector('fieldset[data-question="' + id + '"]');
        if (!fieldset) return;
        var line = fieldset.querySelector(".error");
        if (!line) {
          line = document.createElement("p");
          line.className = "error";
          line.setAttribute("role", "alert");
          fieldset.querySelector("legend").insertAdjacentElement("afterend", line);
        }
        line.textContent = errors[key][id];
        fieldset.classList.add("question--error");
      });
    });
  }

  // One save at a time; what changes meanwhile goes with the next one.
  function flush() {
    if (inflight) return inflight.then(flush);
    var snapshot = JSON.parse(JSON.stringify(pending));
    if (!Object.keys(snapshot).length) return Promise.resolve(true);
    var body = { cards: {}, referent: snapshot.b || {} };
    Object.keys(snapshot).forEach(function (key) { if (key !== "b") body.cards[key] = snapshot[key]; });
    setStatus("saving", "Enregistrement…");
    inflight = fetch(form.dataset.autosave, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () {
        throw { fatal: true, message: "La page a expiré : rechargez-la (vos réponses déjà enregistrées sont gardées)." };
      }).then(function (data) {
        if (!response.ok) throw { fatal: true, message: data.error };
        Object.keys(snapshot).forEach(function (key) {
          Object.keys(snapshot[key]).forEach(function (id) {
            if (pending[key] && JSON.stringify(pending[key][id]) === JSON.stringify(snapshot[key][id])) delete pending[key][id];
          });
          if (pending[key] && !Object.keys(pending[key]).length) delete pending[key];
        });
        showErrors(data.errors || {});
        return true;
      });
    }).catch(function (error) {
      if (error && error.fatal) {
        setStatus("error", error.message || "Vos réponses n'ont pas pu être enregistrées.");
      } else {
        setStatus("offline", "Pas de connexion : vos dernières réponses ne sont pas encore enregistrées. Nouvel essai dans quelques secondes.");
        clearTimeout(retry);
        retry = setTimeout(flush, 5000);
      }
      return false;
    }).then(function (ok) {
      inflight = null;
      if (!ok) return false;
      if (Object.keys(pending).length) return flush();
      setStatus("saved", "Réponses enregistrées.");
      return true;
    });
    return inflight;
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) remember(fieldset);
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA" && event.target.type !== "text") return;
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) remember(fieldset);
  });
  window.addEventListener("online", flush);

  // A button (send a card, a quick answer, everything): first make sure the answers are saved.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitting) return;
    var submitter = event.submitter;
    flush().then(function (ok) {
      if (!ok && Object.keys(pending).length) {
        setStatus("offline", "Pas de connexion : vos réponses sont encore sur cette page. Réessayez quand la connexion revient.");
        return;
      }
      submitting = true;
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = submitter && submitter.value ? submitter.value : "enregistrer";
      form.appendChild(action);
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      form.submit();
    });
  });
  form.querySelectorAll("[data-card]").forEach(refresh);
})();
