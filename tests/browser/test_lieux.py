"""Sites and rooms in Chromium: the administrator reaches them from the
timetable, adds a site and a room, sees a refusal in French, and cannot delete
a room that hosts a sitting; every page passes axe-core."""

from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login
from tests.evaluations.epreuves.base import aware, build_world

pytestmark = pytest.mark.browser


def test_administrator_manages_sites_and_rooms(page: Page, axe_check) -> None:  # type: ignore[no-untyped-def]
    from evaluations.epreuves.models import Passage, Salle, Site

    w = SimpleNamespace()
    build_world(w)
    login(page, "admin@example.org")
    page.goto(f"/epreuves/sessions/{w.session.pk}/")
    page.get_by_role("link", name="Gérer les sites et les salles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sites et salles")
    axe_check(page)

    page.get_by_role("link", name="Ajouter un site").click()
    page.get_by_label("Nom du site").fill("Campus Paris")
    page.get_by_label("Adresse").fill("10 rue de Rivoli\n75004 Paris")
    page.get_by_label("Notes d'accès").fill("Métro Hôtel de Ville, 2e étage.")
    axe_check(page)
    page.get_by_role("button", name="Enregistrer le site").click()
    expect(page.get_by_text("Site « Campus Paris » créé.")).to_be_visible()

    page.get_by_role("link", name="Ajouter une salle au site Campus Paris").click()
    page.get_by_label("Nom de la salle").fill("R1")
    page.get_by_label("Capacité").fill("0")
    page.get_by_role("button", name="Enregistrer la salle").click()
    expect(
        page.get_by_text("Assurez-vous que cette valeur est supérieure ou égale à 1.")
    ).to_be_visible()
    axe_check(page)
    page.get_by_label("Capacité").fill("12")
    page.get_by_label("Accessible aux personnes à mobilité réduite").check()
    page.get_by_role("button", name="Enregistrer la salle").click()
    expect(page.get_by_text("Salle « Campus Paris — R1 » créée.")).to_be_visible()
    salle = Salle.objects.get(nom="R1")
    assert (salle.capacite, salle.accessible_pmr) == (12, True)
    axe_check(page)

    page.get_by_role("button", name="Supprimer la salle R1").click()
    expect(page.get_by_text("Salle « Campus Paris — R1 » supprimée.")).to_be_visible()
    assert not Salle.objects.filter(nom="R1").exists()

    # A room with a sitting has no delete button; its site is kept.
    debut = aware(w.jour1, time(9))
    Passage.objects.create(
        session=w.session,
        inscription=w.camille,
        debut=debut,
        duree_minutes=30,
        fin=debut + timedelta(minutes=30),
        salle=w.salle_a,
    )
    page.reload()
    expect(page.get_by_role("button", name="Supprimer la salle A101")).to_have_count(0)
    page.get_by_role("button", name="Supprimer le site Campus Lyon").click()
    expect(
        page.get_by_text(
            "Le site Campus Lyon accueille 1 passage : il ne peut pas être supprimé."
        )
    ).to_be_visible()
    assert Site.objects.filter(nom="Campus Lyon").exists()
