"""Appeals in Chromium: the candidate reads the result and files an appeal with
a document; the president instructs it, decides « révisée », votes again on
the deliberation page and re-issues the documents from the appeal's page; the
candidate reads the new decision and the re-issued documents; once the delay
is over, an appeal is refused with the date it closed."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import FilePayload, Page, expect

from certif.templatetags.certif_tags import date_longue
from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document
from evaluations.recours.models import Recours
from evaluations.resultats.models import PublicationResultats
from evaluations.resultats.selectors import date_limite_recours
from tests.browser import worlds
from tests.browser.conftest import login, logout
from tests.evaluations.factories_documents import (
    make_consolidations,
    make_deliberation,
    make_membre,
)
from tests.evaluations.resultats.factories import publish_now
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)

pytestmark = pytest.mark.browser


def test_appeal_revised_new_vote_documents_reissued(
    page: Page, live_server, axe_check
) -> None:  # type: ignore[no-untyped-def]
    from certif.roles import Role

    referentiel = make_referentiel(small_data(blocs=2, criteres=2))
    admin = make_user(
        worlds.ADMIN, Role.ADMINISTRATEUR, first_name="Alice", last_name="Admin"
    )
    session = make_session(referentiel, nom="Session de juin 2026", statut="deliberee")
    president = make_membre(
        session,
        worlds.PRESIDENT,
        president=True,
        first_name="Paul",
        last_name="Président",
    )
    membre = make_membre(
        session, worlds.MEMBRE, first_name="Julie", last_name="Bernard"
    )
    inscription = make_inscription(
        make_candidat(worlds.CANDIDAT, nom="Martin", prenom="Camille"), session
    )
    make_consolidations(inscription, by=president.user, non_acquis=("C2.1.1",))
    make_deliberation(
        inscription,
        decision=Deliberation.Decision.VALIDATION_PARTIELLE,
        by=president.user,
        presents=[president, membre],
        blocs=("B1",),
        motif="Le critère C2.1.1 n'est pas acquis.",
        decidee_le=timezone.now() - timedelta(hours=2),
    )
    publish_now(session, by=admin)
    limite = date_limite_recours(inscription)
    assert limite is not None

    # The candidate reads the result and files an appeal with a document.
    login(page, worlds.CANDIDAT)
    page.get_by_role("link", name="Mes résultats").first.click()
    page.get_by_role("link", name="Session de juin 2026").click()
    main = page.locator("main")
    expect(
        page.get_by_role("heading", name=re.compile("Décision du jury"))
    ).to_contain_text("Validation partielle")
    expect(main).to_contain_text(
        "Vous pouvez former un recours contre la décision du jury jusqu'au "
        f"{date_longue(limite)} inclus."
    )
    page.get_by_role("link", name="Former un recours").click()
    page.get_by_label("Motifs de votre recours").fill(
        "Le critère C2.1.1 est traité dans la partie 3 de mon dossier."
    )
    page.get_by_label("Documents joints (facultatif)").set_input_files(
        [
            FilePayload(
                name="partie-3.pdf", mimeType="application/pdf", buffer=worlds.PDF_BYTES
            )
        ]
    )
    axe_check(page)
    page.get_by_role("button", name="Envoyer mon recours").click()
    recours = Recours.objects.get()
    expect(page.get_by_role("status")).to_contain_text(
        f"Votre recours {recours.reference} est enregistré."
    )
    expect(main).to_contain_text(f"Recours {recours.reference} formé le")
    axe_check(page)
    logout(page)

    # The president instructs it and revises the decision.
    login(page, worlds.PRESIDENT)
    page.get_by_role("link", name="Recours").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Recours contre les décisions du jury"
    )
    axe_check(page)
    page.get_by_role("link", name=recours.reference).click()
    expect(main).to_contain_text(
        "Le critère C2.1.1 est traité dans la partie 3 de mon dossier."
    )
    expect(page.get_by_role("link", name="partie-3.pdf")).to_be_visible()
    page.get_by_role("button", name="Mettre en instruction").click()
    expect(page.get_by_role("status")).to_contain_text("Le recours est en instruction.")
    page.get_by_label("Décision révisée").check()
    page.get_by_label("Motif de la décision").fill(
        "La partie 3 du dossier établit le critère C2.1.1."
    )
    axe_check(page)
    page.get_by_role("button", name="Décider").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Décision révisée : la délibération est rouverte."
    )
    expect(main).to_contain_text("En attente du nouveau vote du jury")

    # The president votes again on the deliberation page: both blocs.
    page.get_by_role("link", name="Page de délibération").click()
    page.locator("#id_motif").fill("Révision à la suite du recours.")
    page.get_by_label("B2", exact=True).check()
    page.get_by_label("Motif de la décision différente de la proposition").fill(
        "Recours : la partie 3 du dossier établit le critère C2.1.1."
    )
    page.get_by_role("button", name="Voter et verrouiller").click()
    expect(page.locator("#titre-decision")).to_contain_text("Certifié")
    expect(page.locator("#titre-decision")).to_contain_text("verrouillée")

    # Then re-issues the documents from the appeal's page.
    page.get_by_role("link", name=re.compile(f"recours {recours.reference}")).click()
    page.get_by_role("button", name="Rééditer les documents").click()
    expect(page.get_by_role("status")).to_contain_text("le candidat est prévenu.")
    logout(page)

    # The candidate reads the new decision and the re-issued documents.
    login(page, worlds.CANDIDAT)
    page.goto(f"/resultats/{inscription.pk}/")
    expect(
        page.get_by_role("heading", name=re.compile("Décision du jury"))
    ).to_contain_text("Certifié")
    expect(main).to_contain_text("Décision révisée")
    expect(main).to_contain_text("Le jury a voté de nouveau")
    expect(page.get_by_role("link", name="Parchemin (PDF)")).to_be_visible()
    valides = sorted(
        Document.objects.filter(
            inscription=inscription, statut=Document.Statut.VALIDE
        ).values_list("nature", "version")
    )
    assert valides == [("lettre", 2), ("parchemin", 1), ("releve", 2)], valides
    logout(page)

    # Once the delay is over, an appeal is refused with the date it closed.
    PublicationResultats.objects.filter(session=session).update(
        publiee_le=timezone.now() - timedelta(days=100)
    )
    inscription.session.refresh_from_db()
    fin = date_limite_recours(inscription)
    assert fin is not None
    clos = date_longue(fin + timedelta(days=1))
    login(page, worlds.CANDIDAT)
    page.goto(f"/resultats/{inscription.pk}/")
    expect(main).to_contain_text(f"Le délai de recours est clos depuis le {clos}.")
    expect(page.get_by_role("link", name="Former un recours")).to_have_count(0)
    page.goto(f"/resultats/{inscription.pk}/recours/")
    expect(page.get_by_role("alert")).to_contain_text(
        f"Le délai de recours est clos depuis le {clos}."
    )
    expect(page.get_by_role("button", name="Envoyer mon recours")).to_have_count(0)
    assert Recours.objects.count() == 1
    assert recours.pieces.get().nom_original == "partie-3.pdf"
