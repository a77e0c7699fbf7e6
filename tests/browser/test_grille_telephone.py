"""The scoring grid on a phone (390 x 844): one competency at a time, a jump list
with each competency's progress, previous/next links, the focus on the
competency's heading; without JavaScript every competency stays on the page."""

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ConsoleWatch, login, new_context, run_axe

pytestmark = pytest.mark.browser

TELEPHONE = {"width": 390, "height": 844}


def test_grid_on_a_phone_shows_one_competency_at_a_time(
    browser: Browser, live_server
) -> None:  # type: ignore[no-untyped-def]
    from evaluations.notation.models import Evaluation
    from referentiel.models import Competence
    from tests.evaluations.factories_jury import make_affectation, make_membre
    from tests.factories import (
        make_candidat,
        make_inscription,
        make_referentiel,
        make_session,
    )

    referentiel = make_referentiel()  # the seed: 18 competencies, 71 criteria
    session = make_session(referentiel, statut="en_evaluation")
    membre = make_membre(session, "alice@example.org")
    inscription = make_inscription(
        make_candidat("camille@example.org", nom="Martin", prenom="Camille"),
        session,
    )
    affectation = make_affectation(membre, inscription)
    competences = list(
        Competence.objects.filter(referentiel=referentiel).order_by(
            "activite__bloc__ordre", "activite__ordre", "ordre"
        )
    )
    premiere, cible = competences[0], competences[7]
    suivante = competences[8]
    url = f"/jury/inscriptions/{inscription.pk}/grille/"

    # Today's page (no JavaScript): every competency, one below the other.
    sans_js = new_context(
        browser, live_server.url, viewport=TELEPHONE, java_script_enabled=False
    )
    page = sans_js.new_page()
    login(page, "alice@example.org")
    page.goto(url)
    expect(page.locator(".competence-grille:visible")).to_have_count(18)
    hauteur_complete = page.evaluate("document.documentElement.scrollHeight")
    # The anchors reach any competency.
    page.get_by_text("Aller à une compétence").click()
    page.get_by_role("link", name=cible.code, exact=True).click()
    assert page.url.endswith(f"#competence-{cible.pk}")
    sans_js.close()

    phone = new_context(
        browser,
        live_server.url,
        viewport=TELEPHONE,
        timezone_id="Europe/Paris",
        is_mobile=True,
        has_touch=True,
    )
    mobile = phone.new_page()
    watch = ConsoleWatch()
    mobile.on("console", watch.on_console)
    mobile.on("pageerror", watch.on_pageerror)
    login(mobile, "alice@example.org")
    mobile.goto(url)

    # One competency, the first; the page is a small fraction of the whole grid.
    visibles = mobile.locator(".competence-grille:visible")
    expect(visibles).to_have_count(1)
    expect(visibles).to_have_id(f"competence-{premiere.pk}")
    hauteur = mobile.evaluate("document.documentElement.scrollHeight")
    assert hauteur < hauteur_complete / 5, (hauteur, hauteur_complete)
    assert run_axe(mobile) == []

    # The jump list gives each competency's progress and jumps to another one,
    # the focus on its heading.
    mobile.get_by_text("Aller à une compétence").click()
    saut = mobile.locator(f".progression-competence[data-competence='{cible.pk}']")
    total = cible.criteres.count()
    expect(saut).to_have_text(f"0/{total} notés")
    mobile.get_by_role("link", name=cible.code, exact=True).click()
    expect(visibles).to_have_count(1)
    expect(visibles).to_have_id(f"competence-{cible.pk}")
    assert (
        mobile.evaluate("document.activeElement.id") == f"titre-competence-{cible.pk}"
    )
    expect(mobile.locator("#sauts-grille")).not_to_have_attribute("open", "")

    # A criterion scored at a touch is saved, and the jump list counts it.
    critere = visibles.locator("fieldset.critere").first
    critere.get_by_label("Acquis", exact=True).check()
    expect(critere.locator(".etat-saisie")).to_contain_text("Enregistré : Acquis")
    expect(saut).to_have_text(f"1/{total} notés")
    evaluation = Evaluation.objects.get(affectation=affectation)
    assert (evaluation.critere.competence_id, evaluation.resultat) == (
        cible.pk,
        "acquis",
    )

    # « Suivante » with the keyboard: the next competency, its heading focused.
    visibles.get_by_role("link", name=f"Suivante : {suivante.code} →").focus()
    mobile.keyboard.press("Enter")
    expect(visibles).to_have_id(f"competence-{suivante.pk}")
    assert (
        mobile.evaluate("document.activeElement.id")
        == f"titre-competence-{suivante.pk}"
    )
    visibles.get_by_role("link", name=f"← Précédente : {cible.code}").click()
    expect(visibles).to_have_id(f"competence-{cible.pk}")
    expect(critere.locator(".etat-saisie")).to_contain_text("Enregistré")

    # The sticky bar stays one small line; nothing overflows sideways.
    barre = mobile.locator(".barre-enregistrer").bounding_box()
    assert barre is not None and barre["height"] <= 48, barre
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()
    assert watch.errors == []

    # On a desktop screen the grid is as before: every competency on the page.
    desktop = new_context(
        browser, live_server.url, viewport={"width": 1280, "height": 900}
    )
    page = desktop.new_page()
    login(page, "alice@example.org")
    page.goto(url)
    expect(page.locator(".competence-grille:visible")).to_have_count(18)
    expect(page.locator(".competence-voisines:visible")).to_have_count(0)
    desktop.close()
