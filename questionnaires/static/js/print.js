// "Imprimer" buttons (no inline script, so that a strict Content-Security-Policy can apply).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
