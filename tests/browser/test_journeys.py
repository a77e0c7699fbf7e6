"""End-to-end journeys in Chromium, clicking through the real UI.

Each journey starts from the state the previous one leaves, built by
tests/browser/worlds.py, and keeps screenshots for docs/guide.md under fixed names
(docs/screenshots/<role>-<step>.png)."""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from evaluations.models import Document
from tests.browser import worlds
from tests.browser.conftest import login, logout, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    # The public verification page is rate-limited per address in the cache,
    # which the live server shares with the test process.
    cache.clear()


def pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def test_journey_5_documents_issued_downloaded_verified_revoked(
    page: Page, browser: Browser, live_server, axe_check
) -> None:  # type: ignore[no-untyped-def]
    world = worlds.deliberated_session()

    # The administrator issues the session's documents.
    login(page, worlds.ADMIN)
    page.get_by_role("link", name="Émission des documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Émission des documents")
    page.get_by_role("link", name="Session de juin 2026").click()
    axe_check(page)
    screenshot(page, "administrateur-documents-session")
    page.get_by_role("button", name="Émettre les documents de la session").click()
    expect(page.locator("#progression")).to_contain_text(
        "Terminée — 2 / 2 traités (2 réussis)"
    )
    expect(
        page.get_by_role("link", name="Télécharger l'archive ZIP de tous les documents")
    ).to_be_visible()
    screenshot(page, "administrateur-documents-emission")
    parchemin = Document.objects.get(
        inscription=world.inscription, nature=Document.Nature.PARCHEMIN
    )
    logout(page)

    # The candidate downloads the certificate from their space.
    login(page, worlds.CANDIDAT)
    page.get_by_role("link", name="Mes documents").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes documents")
    axe_check(page)
    screenshot(page, "candidat-documents")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Télécharger \(Parchemin")).click()
    download = download_info.value
    assert download.suggested_filename == parchemin.nom_fichier
    text = pdf_text(Path(download.path()).read_bytes())
    assert "Camille" in text
    match = re.search(r"https?://\S+/verification/([A-Z2-7]{16})/", text)
    assert match is not None, text
    assert match.group(1) == parchemin.code
    verification_path = urlsplit(match.group(0)).path
    logout(page)

    # Anyone opens the URL printed under the QR code: valid.
    public = browser.new_context(base_url=live_server.url, locale="fr-FR")
    visitor = public.new_page()
    visitor.goto(verification_path)
    expect(visitor.get_by_role("status").first).to_contain_text("Document valide.")
    expect(visitor.locator("dl")).to_contain_text("Camille")
    axe_check(visitor)
    screenshot(visitor, "public-verification-valide")
    # The downloaded file is exactly the issued one (SHA-256 compared).
    visitor.get_by_label("Fichier PDF à comparer").set_input_files(download.path())
    visitor.get_by_role("button", name="Comparer", exact=True).click()
    expect(visitor.get_by_role("status").last).to_have_text(
        "Ce fichier est exactement le document émis."
    )

    # The administrator revokes it; the same URL now says so.
    login(page, worlds.ADMIN)
    page.goto(f"/documents/sessions/{world.session.pk}/")
    page.get_by_role("link", name="Révoquer").first.click()
    page.get_by_label("Motif de la révocation").fill(
        "Erreur sur l'identité du titulaire."
    )
    screenshot(page, "administrateur-documents-revocation")
    page.get_by_role("button", name="Révoquer ce document").click()
    expect(page.get_by_role("status").first).to_contain_text("est révoqué")

    visitor.goto(verification_path)
    expect(visitor.get_by_role("alert").first).to_contain_text("Document révoqué.")
    expect(visitor.get_by_role("alert").first).to_contain_text(
        "Motif : Erreur sur l'identité du titulaire."
    )
    screenshot(visitor, "public-verification-revoque")
    public.close()
