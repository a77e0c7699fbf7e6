"""The results in Chromium: before the publication the candidate reads nothing;
the administrator publishes from the session desk; the candidate then reads the
decision, the jury's motive and the appeal deadline, and downloads the letter."""

import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from certif.templatetags.certif_tags import date_longue
from evaluations.resultats.selectors import DELAI_RECOURS_MOIS_DEFAUT, plus_mois
from tests.browser import worlds
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser


def pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )


def test_candidate_reads_the_result_and_the_appeal_deadline(
    page: Page, live_server, axe_check
) -> None:  # type: ignore[no-untyped-def]
    world = worlds.deliberated_session()
    limite = date_longue(plus_mois(timezone.localdate(), DELAI_RECOURS_MOIS_DEFAUT))

    # Before the publication: nothing but the announcement.
    login(page, worlds.CANDIDAT)
    page.get_by_role("link", name="Mon dossier").first.click()
    expect(page.locator("main")).to_contain_text("Évaluation terminée")
    expect(page.locator("main")).not_to_contain_text("Délibérée")
    page.get_by_role("link", name="Mon résultat").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Les résultats de cette session ne sont pas encore publiés."
    )
    expect(page.locator("main")).not_to_contain_text("Certifié")
    logout(page)

    # The administrator publishes now, from the session desk.
    login(page, worlds.ADMIN)
    page.goto(f"/sessions/{world.session.pk}/")
    expect(
        page.get_by_role("heading", name="Publication des résultats")
    ).to_be_visible()
    page.get_by_label("Publier maintenant").check()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#progression-publication")).to_contain_text(
        "Publiée — résultats visibles des candidats depuis le"
    )
    expect(page.locator("#progression-publication")).to_contain_text(
        "1 / 1 candidat traité"
    )
    logout(page)

    # The candidate reads the decision, the motive and the appeal deadline.
    login(page, worlds.CANDIDAT)
    page.get_by_role("link", name="Mes résultats").first.click()
    page.get_by_role("link", name="Session de juin 2026").click()
    main = page.locator("main")
    expect(
        page.get_by_role("heading", name=re.compile("Décision du jury"))
    ).to_contain_text("Certifié")
    expect(main).to_contain_text("Tous les critères sont acquis.")
    expect(main).to_contain_text(
        f"Vous pouvez contester la décision du jury jusqu'au {limite} inclus."
    )
    expect(main).to_contain_text("Les blocs acquis le restent sans limite de durée.")
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Lettre de résultat (PDF)").click()
    text = pdf_text(Path(download_info.value.path()).read_bytes())
    assert f"Vous pouvez contester cette décision jusqu'au {limite} inclus" in text
    assert "Décision du jury : Certifié" in text
