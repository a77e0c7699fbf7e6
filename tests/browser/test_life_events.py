"""The candidate's life events and the session's steps, as the administrator does
them in the browser: passing into evaluation before the deadline (confirmed, with
what candidates lose) and stepping back with a motive; a withdrawal; a deferral
to a later session; confirming a format adaptation advised by the référent."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser import worlds
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_evaluation_before_the_deadline_is_confirmed_then_stepped_back(
    page: Page, axe_check
) -> None:  # type: ignore[no-untyped-def]
    from evaluations.sessions.models import Session

    world = worlds.enrolled()
    login(page, worlds.ADMIN)
    page.goto(world.session.get_absolute_url())
    page.get_by_role("button", name="Passer en évaluation").click()
    # Before the deadline: what the candidates lose, and nothing changed yet.
    expect(
        page.get_by_role("heading", name="Passer en évaluation avant la date limite ?")
    ).to_be_visible()
    expect(page.locator("#perte")).to_contain_text("1 candidat a un dossier incomplet.")
    axe_check(page)
    assert Session.objects.get(pk=world.session.pk).statut == "ouverte"
    page.get_by_role("button", name="Confirmer le passage en évaluation").click()
    expect(
        page.get_by_text("La session est maintenant « En évaluation ».")
    ).to_be_visible()
    # No score yet: the session may go back, with a motive kept in its history.
    page.get_by_label("Motif du retour à « Ouverte »").fill(
        "Passée trop tôt : dépôts rouverts."
    )
    page.get_by_role("button", name="Revenir à « Ouverte »").click()
    expect(
        page.get_by_text("La session est revenue au statut « Ouverte ».")
    ).to_be_visible()
    session = Session.objects.get(pk=world.session.pk)
    assert session.statut == "ouverte"
    assert session.history.filter(statut="ouverte").count() >= 2


def test_withdrawal_before_the_jury(page: Page, axe_check) -> None:  # type: ignore[no-untyped-def]
    from evaluations.sessions.models import Inscription

    jury = worlds.jury_en_evaluation()
    inscription = jury.world.inscription
    login(page, worlds.ADMIN)
    page.goto(jury.world.session.get_absolute_url())
    page.get_by_role("link", name="Désistement MARTIN Camille").click()
    expect(
        page.get_by_role("heading", name="Désistement de Camille MARTIN")
    ).to_be_visible()
    axe_check(page)
    # A motive is required: refused with its message, nothing stored.
    page.console_watch.expect_refusal(  # type: ignore[attr-defined]
        f"/sessions/{jury.world.session.pk}/inscriptions/{inscription.pk}/desistement/"
    )
    page.get_by_label("Date du désistement").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_role("button", name="Enregistrer le désistement").click()
    expect(page.get_by_text("Indiquez le motif du désistement.")).to_be_visible()
    assert Inscription.objects.get(pk=inscription.pk).desiste_le is None
    page.get_by_label("Motif du désistement").fill("Raisons personnelles.")
    page.get_by_role("button", name="Enregistrer le désistement").click()
    inscription.refresh_from_db()
    assert (inscription.desiste_le, inscription.desistement_motif) == (
        timezone.localdate(),
        "Raisons personnelles.",
    )
    # The session desk says so.
    expect(
        page.get_by_text(f"désisté le {timezone.localdate():%d/%m/%Y}")
    ).to_be_visible()


def test_deferral_to_a_later_session(page: Page, axe_check) -> None:  # type: ignore[no-untyped-def]
    from evaluations.sessions.models import Inscription
    from tests.factories import make_session

    world = worlds.enrolled()
    suivante = make_session(
        world.referentiel, nom="Session d'automne 2026", deadline_in_days=120
    )
    login(page, worlds.ADMIN)
    page.goto(world.session.get_absolute_url())
    page.get_by_role("link", name="Report MARTIN Camille").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Reporter Camille MARTIN à une session ultérieure"
    )
    axe_check(page)
    page.get_by_label("Session où le candidat est reporté").select_option(
        label=str(suivante)
    )
    page.get_by_label("Motif du report").fill("Hospitalisation en juin.")
    page.get_by_role("button", name="Reporter").click()
    origine = Inscription.objects.get(pk=world.inscription.pk)
    assert origine.reportee_vers is not None
    assert origine.reportee_vers.session == suivante
    assert origine.report_motif == "Hospitalisation en juin."
    assert (
        origine.reportee_vers.candidat_id,
        origine.reportee_vers.parcours,
        origine.reportee_vers.voie_acces,
    ) == (origine.candidat_id, origine.parcours, origine.voie_acces)
    page.goto(origine.session.get_absolute_url())
    expect(page.get_by_text("reporté à une session ultérieure")).to_be_visible()
    page.goto(f"/sessions/{origine.session_id}/inscriptions/{origine.pk}/report/")
    expect(page.locator("p[role=status]")).to_contain_text(
        "Reporté à la session « Session d'automne 2026 » : Hospitalisation en juin."
    )


def test_administrator_confirms_a_format_adaptation(page: Page, axe_check) -> None:  # type: ignore[no-untyped-def]
    from handicap.models import Amenagement
    from handicap.services import AmenagementSaisi, demande_decider
    from referentiel.models import Modalite

    world = worlds.enrolled()
    modalite = Modalite.objects.filter(
        competence__referentiel=world.referentiel
    ).earliest("pk")
    demande_decider(
        demande=worlds.demande_deposee(world),
        amenagements=[
            AmenagementSaisi(
                type=Amenagement.Type.FORMAT_ADAPTE,
                modalite=modalite,
                precision="Présentation orale remplacée par un écrit",
                description="Le rapport remplace la soutenance orale.",
            )
        ],
        avis="L'oral met le candidat en difficulté ; l'écrit évalue les mêmes éléments.",
        propositions=[],
        by=world.referent,
    )
    login(page, worlds.ADMIN)
    page.get_by_role("link", name="Adaptations de format à confirmer").first.click()
    expect(
        page.get_by_text("Présentation orale remplacée par un écrit")
    ).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Confirmer Camille MARTIN").click()
    expect(page.get_by_text("Aucune adaptation de format à confirmer.")).to_be_visible()
    amenagement = Amenagement.objects.get()
    assert amenagement.confirme_par == world.admin
    assert amenagement.confirme_le is not None
    assert timezone.now() - amenagement.confirme_le < timedelta(minutes=5)


def test_president_goes_on_without_an_absent_evaluator(page: Page, axe_check) -> None:  # type: ignore[no-untyped-def]
    from evaluations.notation.models import DerogationValidation

    jury = worlds.jury_en_evaluation()
    inscription = jury.world.inscription
    login(page, worlds.PRESIDENT)
    page.goto(f"/jury/inscriptions/{inscription.pk}/consolidation/")
    expect(page.get_by_text("validation attendue").first).to_be_visible()
    axe_check(page)
    page.get_by_label(
        "Pourquoi le jury se passe de la validation de Karim Benali"
    ).fill("Évaluateur hospitalisé, remplacé par le président.")
    page.get_by_label(
        "Pourquoi le jury se passe de la validation de Karim Benali"
    ).locator("xpath=..").get_by_role("button", name="Enregistrer le motif").click()
    expect(page.get_by_text("Motif enregistré")).to_be_visible()
    expect(
        page.get_by_text("Motif : Évaluateur hospitalisé, remplacé par le président.")
    ).to_be_visible()
    derogation = DerogationValidation.objects.get()
    assert (derogation.affectation.membre_id, derogation.par_id) == (
        jury.membre2.pk,
        jury.president.user_id,
    )
