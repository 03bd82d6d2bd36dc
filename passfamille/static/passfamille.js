// Progressive enhancement only: without JavaScript every field stays visible and the forms work the same.
(function () {
  "use strict";
  // Shows the fields that match the chosen answer (a radio's value, or a ticked checkbox's).
  document.querySelectorAll("[data-visible-si]").forEach(function (panel) {
    var parts = panel.getAttribute("data-visible-si").split("=");
    var radios = document.querySelectorAll(
      'input[type="radio"][name="' + parts[0] + '"], input[type="checkbox"][name="' + parts[0] + '"]'
    );
    function update() {
      var chosen = Array.prototype.find.call(radios, function (radio) { return radio.checked; });
      panel.hidden = !chosen || chosen.value !== parts[1];
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });

  // A form back with errors: the error summary takes the focus, so that a screen reader reads it first and a
  // keyboard user reaches its links to each field (RGAA 11.10, the State design system's error summary).
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();

// The confirmation's « Imprimer ou enregistrer en PDF »: hidden without JavaScript, where it could do nothing.
(function () {
  "use strict";
  document.querySelectorAll("[data-imprimer]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();

// The queue's « Tout sélectionner sur cette page » ticks or unticks every row; unticking a row unticks it, so
// that the page's ids it sends (its meaning without JavaScript) never add a row the agent left out.
(function () {
  "use strict";
  document.querySelectorAll("[data-tout-selectionner]").forEach(function (all) {
    var rows = all.form.querySelectorAll('input[type="checkbox"][name="dossier"]');
    all.addEventListener("change", function () {
      rows.forEach(function (row) { row.checked = all.checked; });
    });
    rows.forEach(function (row) {
      row.addEventListener("change", function () {
        if (!row.checked) { all.checked = false; }
      });
    });
  });
})();
