// The mail text editor's live preview: after a pause in typing, the subject and body are sent
// to the server, which checks them and renders both forms of the mail (one renderer, the same
// escaping as the sent mail). Without this script, the "Prévisualiser" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("mail-text-form");
  if (!form || !window.fetch) return;
  var timer = null;
  var sequence = 0;

  function show(id, message) {
    var box = document.getElementById(id);
    box.textContent = message || "";
    box.hidden = !message;
    box.closest(".field").classList.toggle("field--error", !!message);
  }

  function refresh() {
    var mine = ++sequence;
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (mine !== sequence) return;  // an older answer arriving late
        var errors = answer.errors || {};
        show("erreur-sujet", errors.subject);
        show("erreur-texte", errors.body);
        var ok = !errors.subject && !errors.body && !errors._form;
        document.getElementById("apercu-vide").hidden = ok;
        document.getElementById("apercu-contenu").hidden = !ok;
        if (ok) {
          document.getElementById("apercu-sujet").textContent = answer.subject;
          document.getElementById("apercu-texte").textContent = answer.text;
          // A new frame each time: Chromium does not paint a srcdoc changed while its frame was
          // hidden (a text in error hides the preview)
          var old = document.getElementById("apercu-html");
          var fresh = old.cloneNode(false);
          fresh.setAttribute("srcdoc", answer.html);
          old.parentNode.replaceChild(fresh, old);
        }
      })
      .catch(function () { /* offline: the button still previews */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
