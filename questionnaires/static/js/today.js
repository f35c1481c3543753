// "Aujourd'hui": a tap on Présent·e / Absent·e / Excusé·e saves in the background.
// Without JavaScript each button submits the form and the page comes back at the same person.
(function () {
  "use strict";
  var form = document.getElementById("today-form");
  if (!form || !window.fetch) return;
  var statusLine = document.getElementById("today-status");

  function paint(row, status) {
    row.dataset.status = status;
    row.querySelectorAll("button[name=cell]").forEach(function (button) {
      var pressed = button.value.split(":")[2] === status;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
    });
    var contact = row.querySelector(".roll-contact");
    if (contact) contact.hidden = status !== "absent";
  }

  function flag(flagged) {
    form.querySelectorAll(".roll-row").forEach(function (row) {
      var badge = row.querySelector(".flag-badge");
      var id = parseInt(row.id.replace("p-", ""), 10);
      if (badge) badge.hidden = flagged.indexOf(id) === -1;
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=cell]");
    if (!button) return;
    event.preventDefault();
    var row = button.closest(".roll-row");
    var previous = row.dataset.status || "";
    var body = new FormData(form);
    body.append("cell", button.value);
    paint(row, button.value.split(":")[2]);
    row.classList.add("saving");
    fetch(form.action, { method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.error || "Erreur");
          row.classList.remove("saving");
          statusLine.textContent = "Enregistré : " + data.message;
          flag(data.flagged || []);
        });
      })
      .catch(function (error) {
        paint(row, previous);
        row.classList.remove("saving");
        statusLine.textContent = "Non enregistré : " + (error.message === "Failed to fetch"
          ? "pas de connexion. Réessayez quand le réseau revient." : error.message);
      });
  });
})();
