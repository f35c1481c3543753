// The team menu folds behind one button on a phone (the CSS hides it below 700 px once this
// runs). Without JavaScript the links simply show, wrapped.
(function () {
  "use strict";
  var button = document.getElementById("menu-button");
  var nav = document.getElementById("team-menu");
  if (!button || !nav) return;
  button.closest(".topbar").classList.add("topbar--folding");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("is-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
