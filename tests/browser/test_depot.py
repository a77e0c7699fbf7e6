"""A refused upload in the candidate's dossier: the message stands next to the
file field of that modality, in view, and the field has the focus, with
JavaScript and without it; nothing is stored. Then a good file for the same
modality, and the PDF receipt of that deposit."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.browser import worlds
from tests.browser.conftest import VIEWPORT, login, new_context, screenshot

pytestmark = pytest.mark.browser

REFUSE = FilePayload(
    name="setup.pdf", mimeType="application/pdf", buffer=b"MZ" + b"\x00" * 200
)
MESSAGE = (
    "Le contenu de « setup.pdf » n'est pas un document PDF, DOCX, ODT, PPTX, ODP, "
    "XLSX, ODS : fichier refusé."
)


def _world():  # type: ignore[no-untyped-def]
    """Camille enrolled on the whole certification of the seed référentiel: a
    long dossier (a card per modality), the last modality far below the fold."""
    from tests.factories import (
        make_candidat,
        make_inscription,
        make_referentiel,
        make_session,
    )

    referentiel = make_referentiel()
    session = make_session(referentiel, nom="Session de juin 2026")
    candidat = make_candidat(worlds.CANDIDAT, nom="Martin", prenom="Camille")
    inscription = make_inscription(candidat, session)
    from evaluations.livrables.selectors import dossier_of

    dossier = dossier_of(inscription=inscription)
    derniere = dossier.blocs[-1].modalites[-1]
    return inscription, derniere


def _refuse(page: Page, inscription, derniere) -> None:  # type: ignore[no-untyped-def]
    code = derniere.competence.code
    pk = derniere.modalite.pk
    page.goto(f"/candidat/inscriptions/{inscription.pk}/")
    # Chromium logs the 400 with the address the form posted to, fragment included.
    page.console_watch.expect_refusal(  # type: ignore[attr-defined]
        f"/candidat/inscriptions/{inscription.pk}/modalites/{pk}/deposer/#fichiers-{pk}"
    )
    field = page.get_by_label(f"Déposer des fichiers pour {code}")
    field.set_input_files(files=[REFUSE])
    field.locator("xpath=ancestor::form").get_by_role(
        "button", name="Déposer", exact=True
    ).click()
    expect(page).to_have_url(re.compile(rf"/modalites/{pk}/deposer/#fichiers-{pk}$"))


def _assert_message_next_to_the_focused_field(page: Page, pk: int) -> None:
    field = page.locator(f"#fichiers-{pk}")
    alert = page.locator(f"#erreur-{pk}")
    expect(alert).to_have_text(MESSAGE)
    expect(alert).to_have_attribute("role", "alert")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", f"erreur-{pk} aide-{pk}")
    # Inside the card of that modality, right under its field.
    expect(page.locator(f"#modalite-{pk} #erreur-{pk}")).to_have_count(1)
    expect(field).to_be_focused()
    # Whole, once the (smooth) scroll has settled.
    expect(alert).to_be_in_viewport(ratio=1)
    expect(field).to_be_in_viewport(ratio=1)
    # Right under the field: both measured in one snapshot of the layout.
    gap = page.evaluate(
        "([f, a]) => document.getElementById(a).getBoundingClientRect().top"
        " - document.getElementById(f).getBoundingClientRect().bottom",
        [f"fichiers-{pk}", f"erreur-{pk}"],
    )
    assert 0 <= gap < 40, gap
    # The message is not also at the top of the page, out of view.
    expect(page.get_by_text(MESSAGE)).to_have_count(1)


def test_a_refused_upload_shows_its_message_at_the_field(page: Page, axe_check) -> None:  # type: ignore[no-untyped-def]
    from evaluations.livrables.models import Livrable

    inscription, derniere = _world()
    pk = derniere.modalite.pk
    login(page, worlds.CANDIDAT)
    _refuse(page, inscription, derniere)
    _assert_message_next_to_the_focused_field(page, pk)
    screenshot(page, "candidat-depot-refuse")
    axe_check(page)
    assert Livrable.objects.count() == 0

    # The same modality, a good file this time: its receipt, by e-mail and PDF.
    mail.outbox = []
    field = page.locator(f"#fichiers-{pk}")
    field.set_input_files(
        files=[
            FilePayload(
                name="dossier.pdf", mimeType="application/pdf", buffer=worlds.PDF_BYTES
            )
        ]
    )
    field.locator("xpath=ancestor::form").get_by_role(
        "button", name="Déposer", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accusé de dépôt")
    livrable = Livrable.objects.get()
    assert [m.subject for m in mail.outbox] == [
        "Accusé de dépôt : « dossier.pdf » — Session de juin 2026"
    ]
    with page.expect_download() as download:
        page.get_by_role(
            "link", name="Télécharger l'accusé de dépôt (PDF) dossier.pdf"
        ).click()
    assert download.value.suggested_filename == (
        f"accuse-depot-{livrable.pk}-dossier.pdf"
    )


def test_without_javascript_the_page_opens_at_the_field(
    browser: Browser, live_server
) -> None:  # type: ignore[no-untyped-def]
    inscription, derniere = _world()
    pk = derniere.modalite.pk
    context = new_context(
        browser,
        live_server.url,
        viewport=VIEWPORT,
        timezone_id="Europe/Paris",
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        page.console_watch = type(  # type: ignore[attr-defined]
            "Watch", (), {"expect_refusal": lambda self, path: None}
        )()
        login(page, worlds.CANDIDAT)
        _refuse(page, inscription, derniere)
        _assert_message_next_to_the_focused_field(page, pk)
    finally:
        context.close()
