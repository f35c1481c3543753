// A team form is sent once: a second press (a double click sent two mails) does nothing. The
// buttons are disabled only after the form has left, so the pressed button's name and value
// still go with it. Forms that a script sends itself (they cancel the event) are left alone.
// Coming back to the page through the history, or a POST that brings no new page, enables the
// buttons again. The server refuses a repeated form too (questionnaires/web/once.py).
(function () {
  "use strict";
  var AGAIN_AFTER_MS = 10000;

  function release(form) {
    delete form.dataset.sent;
    form.querySelectorAll("[data-once-disabled]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("data-once-disabled");
      button.removeAttribute("aria-busy");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var buttons = form.querySelectorAll("button, input[type=submit]");
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        if (button.disabled) return;
        button.disabled = true;
        button.setAttribute("data-once-disabled", "");
        button.setAttribute("aria-busy", "true");
      });
    }, 0);
    window.setTimeout(function () { release(form); }, AGAIN_AFTER_MS);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[data-sent]").forEach(release);
  });
})();
