// The tablet's session, on every page of it: "Changer de personne" (asked about when the bilan
// is not sent), the inactivity wipe, read-aloud, and answers an earlier participant left on the
// tablet without network, sent as soon as any page of it is online. The bilan form itself is
// bilan.js, which tells this file its own kept answers and how to make sure they are sent.
window.Tablet = (function () {
  "use strict";
  var PENDING = "bilan-pending:";
  //: A key written by bilan.js: "bilan-pending:" + keeper token ("<participant id>-<22 chars>")
  var KEEPER_KEY = /^bilan-pending:\d{1,12}-[A-Za-z0-9_-]{22}$/;
  var ownKey = null;
  var answersSafe = function () { return Promise.resolve(true); };
  var statusLine = document.getElementById("save-status");
  var finishForm = document.querySelector("form[data-finish][data-idle]");

  function say(state, text) {
    if (!statusLine) return;
    statusLine.dataset.state = state;
    statusLine.textContent = text;
  }
  function csrf() {
    var input = finishForm && finishForm.querySelector("input[name=csrf_token]");
    var meta = document.querySelector('meta[name="csrf-token"]');
    return input ? input.value : (meta ? meta.content : "");
  }

  // Ending a session empties this origin's storage for the next person, except answers kept
  // for their owner: they carry whose they are, and go to the server, never lost by a tap.
  function clearStorage() {
    try {
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf(PENDING) !== 0) window.localStorage.removeItem(key);
      });
      window.sessionStorage.clear();
    } catch (e) { /* private mode: nothing was stored */ }
  }
  if (document.querySelector("[data-cleared]")) clearStorage();

  // "Changer de personne" -----------------------------------------------------------------------
  // Answers still waiting in the browser go to the server first; without network the button
  // waits and says why. A bilan not sent yet is asked about first, in big words and buttons.
  function end(form, confirmed) {
    answersSafe().then(function (safe) {
      if (!safe || !navigator.onLine) {
        say("offline", "Pas de réseau : attendez son retour, puis touchez de nouveau « Changer de personne ». " +
          "Vos réponses sont gardées sur la tablette.");
        return;
      }
      clearStorage();
      if (confirmed) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "confirme";
        field.value = "oui";
        form.appendChild(field);
      }
      form.submit();
    });
  }
  var confirmBox = document.getElementById("finish-confirm");
  var unsent = !!document.querySelector("form[data-finish][data-unsent]");
  document.querySelectorAll("form[data-finish]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // Without a dialog (an old browser) the server asks on a page of its own.
      if (!unsent || !confirmBox || !confirmBox.showModal) { end(form, false); return; }
      confirmBox.showModal();
      confirmBox.querySelector("[data-stop]").onclick = function () {
        confirmBox.close();
        end(form, true);
      };
    });
  });
  if (confirmBox) {
    confirmBox.querySelector("[data-continue]").addEventListener("click", function () {
      confirmBox.close();
    });
  }

  // The inactivity wipe -------------------------------------------------------------------------
  // Someone who walks away must not leave their bilan open for the next person: after the idle
  // time, "Vous êtes toujours là ?" for the warning time, then the session ends as "Changer de
  // personne" does. Their page goes blank at once, network or not; what could not be sent stays
  // kept for them (with their keeper token) and leaves with the next page online.
  var check = document.getElementById("idle-check");
  if (finishForm && check && check.showModal && window.fetch) {
    var idle = parseInt(finishForm.dataset.idle, 10) * 1000;
    var warning = parseInt(finishForm.dataset.idleWarning, 10) * 1000;
    var countdown = check.querySelector("[data-countdown]");
    var idleTimer = null, tickTimer = null, deadline = 0, ended = false;

    var awake = function () {
      if (ended || check.open) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(ask, idle);
    };
    var ask = function () {
      if (confirmBox && confirmBox.open) confirmBox.close();
      deadline = Date.now() + warning;
      check.showModal();
      tick();
    };
    var tick = function () {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      countdown.textContent = left;
      if (left > 0) { tickTimer = setTimeout(tick, Math.min(1000, deadline - Date.now())); return; }
      check.close();
      wipe();
    };
    var stillHere = function () {
      clearTimeout(tickTimer);
      if (check.open) check.close();
      awake();
    };
    check.querySelector("[data-still-here]").addEventListener("click", stillHere);
    check.addEventListener("cancel", function (event) { event.preventDefault(); stillHere(); });
    ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
      document.addEventListener(name, awake, { capture: true, passive: true });
    });
    awake();

    var wipe = function () {
      ended = true;
      var main = document.getElementById("contenu");
      var notice = document.getElementById("tablet-ended");
      main.replaceChildren(notice);
      notice.hidden = false;
      document.querySelectorAll("form[data-finish]").forEach(function (form) { form.hidden = true; });
      answersSafe().then(function () {
        clearStorage();
        post();
      });
    };
    var post = function () {
      var body = new FormData();
      body.append("csrf_token", csrf());
      body.append("confirme", "oui");
      fetch(finishForm.action, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          window.location.replace(finishForm.dataset.goodbye);
        })
        .catch(function () { setTimeout(post, 5000); });
    };
  }

  // Read aloud, only where the browser can speak ----------------------------------------------
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

  // Answers other participants left here ------------------------------------------------------
  // Each kept under its owner's keeper token: sent to the server with it whenever a page of the
  // tablet is online. Stored (even if some were refused as invalid) or owned by nobody (404):
  // forgotten. Bilans locked (409), server busy or down: kept for the next try.
  var keptUrl = document.querySelector('meta[name="kept-answers"]');
  function deliverKept() {
    if (!keptUrl || !window.fetch || !navigator.onLine) return;
    var keys;
    try { keys = Object.keys(window.localStorage); } catch (e) { return; }
    keys.filter(function (key) { return KEEPER_KEY.test(key) && key !== ownKey; }).forEach(function (key) {
      var raw = window.localStorage.getItem(key), answers = null;
      try { answers = JSON.parse(raw); } catch (e) { answers = null; }
      if (!answers || typeof answers !== "object" || Array.isArray(answers)) {
        window.localStorage.removeItem(key);
        return;
      }
      fetch(keptUrl.content, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
        body: JSON.stringify({ owner: key.slice(PENDING.length), answers: answers })
      }).then(function (response) {
        if ((response.ok || response.status === 404) && window.localStorage.getItem(key) === raw) {
          window.localStorage.removeItem(key);
        }
      }).catch(function () { /* offline again: the next page tries */ });
    });
  }
  // After every deferred script: bilan.js has named this page's own key by then.
  document.addEventListener("DOMContentLoaded", deliverKept);
  window.addEventListener("online", deliverKept);

  return {
    // bilan.js: this page's own kept answers, and how to make sure they reach the server.
    own: function (key, safe) { ownKey = key; answersSafe = safe; }
  };
})();
