// Scoring grid: let htmx show the server's error fragments (400 bad input, 409
// locked or validated) in place instead of dropping them.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 400 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// On a phone the grid shows one competency at a time: the jump list and the
// « précédente / suivante » links (plain anchors without JavaScript) switch the
// competency shown and move the focus to its heading. The classes only take
// effect under the phone breakpoint (static/css/app.css): on a wider screen,
// or without JavaScript, every competency stays on the page.
(function () {
  var telephone = window.matchMedia("(max-width: 575.98px)");
  var grille = document.getElementById("grille");
  if (!grille) {
    return;
  }
  var competences = Array.prototype.slice.call(
    grille.querySelectorAll(".competence-grille")
  );
  if (competences.length < 2) {
    return;
  }
  var blocs = Array.prototype.slice.call(grille.querySelectorAll(".bloc-grille"));
  var courante = null;

  function competenceDe(hash) {
    if (!hash || hash.length < 2) {
      return null;
    }
    var cible = document.getElementById(decodeURIComponent(hash.slice(1)));
    return cible ? cible.closest(".competence-grille") : null;
  }

  function montrer(competence, focus) {
    courante = competence;
    competences.forEach(function (c) {
      c.classList.toggle("competence-active", c === competence);
    });
    blocs.forEach(function (b) {
      b.classList.toggle("bloc-actif", b.contains(competence));
    });
    if (focus) {
      var titre = competence.querySelector("h3[tabindex]") || competence;
      titre.focus({ preventScroll: true });
      competence.scrollIntoView({ block: "start" });
    }
  }

  function appliquer() {
    grille.classList.toggle("grille-une", telephone.matches);
  }

  document.addEventListener("click", function (event) {
    var lien = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!lien || !telephone.matches) {
      return;
    }
    var competence = competenceDe(lien.getAttribute("href"));
    if (!competence) {
      return;
    }
    event.preventDefault();
    var sauts = document.getElementById("sauts-grille");
    if (sauts && sauts.contains(lien)) {
      sauts.open = false;
    }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", lien.getAttribute("href"));
    }
    montrer(competence, true);
  });

  window.addEventListener("hashchange", function () {
    var competence = competenceDe(window.location.hash);
    if (competence && competence !== courante) {
      montrer(competence, true);
    }
  });

  // The jump list's « 3/4 notés » follows the saves: a criterion counts once
  // the server answered « Enregistré » (recounted after each swap settles).
  document.addEventListener("htmx:afterSettle", function () {
    competences.forEach(function (competence) {
      var pk = competence.id.replace("competence-", "");
      var notes = competence.querySelectorAll(".etat-saisie .text-success").length;
      document
        .querySelectorAll(
          ".progression-competence[data-competence='" + pk + "'] .nb-notes"
        )
        .forEach(function (span) {
          span.textContent = String(notes);
        });
    });
  });

  appliquer();
  if (telephone.addEventListener) {
    telephone.addEventListener("change", appliquer);
  }
  montrer(competenceDe(window.location.hash) || competences[0], false);
})();
