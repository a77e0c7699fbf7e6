// Enrolment forms: show the bloc checkboxes only for a blocs-only path.
// Without JavaScript they stay visible and the server ignores them for a
// whole-certification path.
(function () {
  "use strict";
  function setup() {
    var radios = document.querySelectorAll('input[name="parcours"]');
    var blocs = document.getElementById("div_id_blocs");
    if (!radios.length || !blocs) {
      return;
    }
    function update() {
      var checked = document.querySelector('input[name="parcours"]:checked');
      blocs.hidden = !checked || checked.value !== "blocs";
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
