// Attendance grid: a tap saves the cell in the background instead of reloading the page.
// Without JavaScript the buttons still submit the form, so the grid always works.
(function () {
  "use strict";
  var form = document.getElementById("attendance-form");
  if (!form || !window.fetch) return;
  var statusLine = document.getElementById("attendance-status");
  var CYCLE = ["", "present", "absent", "excuse"];
  var LABELS = { "": "?", present: "Présent·e", absent: "Absent·e", excuse: "Excusé·e" };

  function next(status) {
    return CYCLE[(CYCLE.indexOf(status) + 1) % CYCLE.length];
  }

  function paint(button, status) {
    button.dataset.status = status;
    button.className = "mark mark--" + (status || "unknown");
    button.textContent = LABELS[status];
    button.value = button.dataset.participant + ":" + button.dataset.slot + ":" + next(status);
    var label = button.getAttribute("aria-label") || "";
    button.setAttribute("aria-label", label.replace(/: [^.]*\./, ": " + (status ? LABELS[status] : "non noté") + "."));
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=cell]");
    if (!button) return;
    event.preventDefault();
    var wanted = next(button.dataset.status || "");
    var previous = button.dataset.status || "";
    var body = new FormData(form);
    body.append("cell", button.dataset.participant + ":" + button.dataset.slot + ":" + wanted);
    paint(button, wanted);
    button.classList.add("saving");
    fetch(form.action, { method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.error || "Erreur");
          button.classList.remove("saving");
          statusLine.textContent = "Enregistré.";
        });
      })
      .catch(function (error) {
        paint(button, previous);
        button.classList.remove("saving");
        statusLine.textContent = "Non enregistré : " + (error.message === "Failed to fetch"
          ? "pas de connexion. Réessayez quand le réseau revient." : error.message);
      });
  });
})();

// A week too wide for the screen scrolls inside its box: say so above it, or nobody notices
// the half-days hidden on the right.
(function () {
  "use strict";
  var hint = document.getElementById("attendance-scroll");
  var box = hint && hint.nextElementSibling;
  if (!box) return;
  function check() { hint.hidden = box.scrollWidth <= box.clientWidth + 1; }
  check();
  window.addEventListener("resize", check);
})();
