"""The live épreuves in Chromium: the administrator generates and adjusts a
timetable and publishes it; the candidate downloads the convocation; a jury
member, on a phone-sized screen, marks attendance and fills the grid."""

import io
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import login, logout, new_context
from tests.evaluations.epreuves.base import build_world

pytestmark = pytest.mark.browser


def pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )


def test_timetable_convocation_attendance_and_grid_on_a_phone(
    page: Page, browser: Browser, live_server, axe_check
) -> None:  # type: ignore[no-untyped-def]
    from evaluations.deliberation.models import Deliberation
    from evaluations.epreuves.models import Passage
    from evaluations.sessions.models import Session

    w = SimpleNamespace()
    build_world(w)

    # The administrator generates the timetable over one day in room A101.
    login(page, "admin@example.org")
    page.goto(f"/epreuves/sessions/{w.session.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Épreuves en présence du jury"
    )
    axe_check(page)
    page.get_by_label("Jours d'épreuves").fill(w.jour1.isoformat())
    page.get_by_label("Campus Lyon — A101").check()
    page.get_by_role("button", name="Générer").click()
    expect(page.get_by_text("2 passages placés.")).to_be_visible()
    expect(page.get_by_text("09:00\u201310:20 Camille MARTIN")).to_be_visible()
    axe_check(page)

    # … then moves Camille's sitting to the afternoon.
    page.get_by_role("link", name="Déplacer ou modifier — Camille MARTIN").click()
    page.get_by_label("Heure de début").fill("14:00")
    page.get_by_role("button", name="Enregistrer le passage").click()
    expect(page.get_by_text("Passage enregistré.")).to_be_visible()
    expect(page.get_by_text("14:00\u201315:20 Camille MARTIN")).to_be_visible()
    # A move onto Dominique's slot in the same room is refused, with the clash.
    page.get_by_role("link", name="Déplacer ou modifier — Camille MARTIN").click()
    page.get_by_label("Heure de début").fill("09:30")
    page.get_by_role("button", name="Enregistrer le passage").click()
    expect(
        page.get_by_text(
            re.compile(r"La salle Campus Lyon — A101 est prise par Dominique PETIT")
        )
    ).to_be_visible()
    page.goto(f"/epreuves/sessions/{w.session.pk}/")
    page.get_by_role("button", name="Publier et envoyer les convocations").click()
    expect(page.get_by_text("Planning publié", exact=True)).to_be_visible()
    logout(page)

    # The candidate downloads the convocation.
    login(page, "camille@example.org")
    page.get_by_role("link", name="Mes convocations").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes convocations")
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la convocation (PDF)").click()
    text = pdf_text(Path(download_info.value.path()).read_bytes())
    assert "Convocation aux épreuves en présence du jury" in text
    assert "de 14:00 à 15:20 (80 minutes)" in text
    logout(page)

    # A jury member on a phone, on the day of a sitting: Dominique gets a sitting
    # in a few minutes (placed as the administrator's form does), absent.
    Session.objects.filter(pk=w.session.pk).update(statut="en_evaluation")
    debut = timezone.now() + timedelta(minutes=5)
    if timezone.localtime(debut).date() != timezone.localdate():
        pytest.skip("too close to midnight for a sitting today")
    Passage.objects.filter(inscription=w.dominique).update(
        debut=debut, fin=debut + timedelta(minutes=80)
    )
    phone = new_context(
        browser,
        live_server.url,
        viewport={"width": 390, "height": 844},
        timezone_id="Europe/Paris",
        is_mobile=True,
        has_touch=True,
    )
    mobile = phone.new_page()
    login(mobile, "alice@example.org")
    mobile.goto("/epreuves/jury/")
    mobile.get_by_role("link", name="Session juin").click()
    axe_check(mobile)
    mobile.get_by_role("button", name="Absent — Dominique PETIT").click()
    expect(mobile.get_by_text("Présence enregistrée.")).to_be_visible()
    assert Deliberation.objects.get(inscription=w.dominique).decision == "absent"

    # The grid of Camille shows her sitting and saves a criterion at a touch.
    mobile.goto(f"/jury/inscriptions/{w.camille.pk}/grille/")
    expect(
        mobile.get_by_text(
            re.compile(r"Passage : .* 14:00\u201315:20, Campus Lyon — A101")
        ).first
    ).to_be_visible()
    mobile.get_by_text("Aller à une compétence").click()
    mobile.get_by_role("link", name="C2.3", exact=True).click()
    critere = mobile.locator(
        "#competence-" + str(w.mes[2].competence_id) + " fieldset.critere"
    ).first
    critere.get_by_label("Acquis", exact=True).check()
    expect(critere.locator(".etat-saisie")).to_contain_text("Enregistré : Acquis")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    phone.close()
