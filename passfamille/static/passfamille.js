// Progressive enhancement only: shows the fields that match the chosen answer (a radio's value, or a ticked
// checkbox's). Without JavaScript every field stays visible and the form works the same.
(function () {
  "use strict";
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
})();

// The confirmation's « Imprimer ou enregistrer en PDF »: hidden without JavaScript, where it could do nothing.
(function () {
  "use strict";
  document.querySelectorAll("[data-imprimer]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
