// The candidate's dossier: after a refused upload, the page comes back with the
// message next to the file field of that modality (role="alert"). Bring that
// message into view and give the focus to the field (or to the message when
// deposits closed in between), whatever the scroll the fragment set.
(function () {
  "use strict";
  function montrerRefus() {
    var cible = document.querySelector("[data-depot-refus]");
    if (!cible) {
      return;
    }
    var message = document.getElementById(
      (cible.getAttribute("aria-describedby") || "").split(" ")[0]
    ) || cible;
    cible.focus({ preventScroll: true });
    message.scrollIntoView({ block: "center" });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", montrerRefus);
  } else {
    montrerRefus();
  }
})();
