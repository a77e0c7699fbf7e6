"""Starting states of the journeys, built with the project's factories and services.

Each journey starts from the state the previous one leaves (built here directly,
so that a journey can run and fail on its own) and then clicks through the real UI.
"""

from dataclasses import dataclass

from certif.models import User
from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.jury.models import MembreJury
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Referentiel
from tests.evaluations.factories_documents import (
    make_consolidations,
    make_deliberation,
    make_membre,
)
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)

ADMIN = "admin@certif.example.fr"
PRESIDENT = "president@certif.example.fr"
MEMBRE = "membre@certif.example.fr"
MEMBRE2 = "membre2@certif.example.fr"
REFERENT = "referent@certif.example.fr"
CANDIDAT = "camille.martin@example.fr"


@dataclass
class Deliberated:
    referentiel: Referentiel
    session: Session
    admin: User
    president: MembreJury
    membre: MembreJury
    inscription: Inscription


def deliberated_session() -> Deliberated:
    """A deliberated session on a two-bloc référentiel: one candidate certified,
    every criterion acquis, the deliberation locked."""
    referentiel = make_referentiel(small_data(blocs=2, criteres=2))
    admin = make_user(ADMIN, Role.ADMINISTRATEUR, first_name="Alice", last_name="Admin")
    session = make_session(referentiel, nom="Session de juin 2026", statut="deliberee")
    president = make_membre(
        session, PRESIDENT, president=True, first_name="Paul", last_name="Président"
    )
    membre = make_membre(session, MEMBRE, first_name="Julie", last_name="Bernard")
    candidat = make_candidat(CANDIDAT, nom="Martin", prenom="Camille")
    inscription = make_inscription(candidat, session)
    make_consolidations(inscription, by=president.user)
    make_deliberation(
        inscription,
        decision=Deliberation.Decision.CERTIFIE,
        by=president.user,
        presents=[president, membre],
        blocs=("B1", "B2"),
        motif="Tous les critères sont acquis.",
    )
    return Deliberated(
        referentiel=referentiel,
        session=session,
        admin=admin,
        president=president,
        membre=membre,
        inscription=inscription,
    )


# A one-page PDF: enough for the magic-bytes check of uploads.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name: str = "certificat-medical.pdf"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@dataclass
class Enrolled:
    referentiel: Referentiel
    session: Session
    admin: User
    referent: User
    inscription: Inscription


def enrolled(*, statut: str = "ouverte") -> Enrolled:
    """A candidate enrolled on the whole certification (two blocs, two criteria
    each) of a session, with the administrator and the référent handicap."""
    referentiel = make_referentiel(small_data(blocs=2, criteres=2))
    admin = make_user(ADMIN, Role.ADMINISTRATEUR, first_name="Alice", last_name="Admin")
    referent = make_user(
        REFERENT, Role.REFERENT_HANDICAP, first_name="Rémi", last_name="Référent"
    )
    session = make_session(referentiel, nom="Session de juin 2026", statut=statut)
    candidat = make_candidat(CANDIDAT, nom="Martin", prenom="Camille")
    return Enrolled(
        referentiel=referentiel,
        session=session,
        admin=admin,
        referent=referent,
        inscription=make_inscription(candidat, session),
    )


def demande_deposee(world: Enrolled):  # type: ignore[no-untyped-def]
    """The candidate's accommodation request, filed with one supporting document."""
    from handicap.services import demande_deposer
    from referentiel.models import Modalite

    return demande_deposer(
        inscription=world.inscription,
        besoins="Je me fatigue vite à l'écrit : j'ai besoin de temps et d'un lecteur.",
        modalites=list(
            Modalite.objects.filter(competence__referentiel=world.referentiel).order_by(
                "pk"
            )[:1]
        ),
        consentement=True,
        pieces=[pdf_upload()],
        by=world.inscription.candidat.user,
    )


@dataclass
class Jury:
    world: Enrolled
    president: MembreJury
    membre: MembreJury
    membre2: MembreJury


def jury_en_evaluation() -> Jury:
    """A session in evaluation: the candidate assigned to two jury members, the
    référent's decision taken (extra time, and an avis motivé proposing to exempt
    criterion C1.1.2)."""
    from evaluations.jury.services import affectation_add
    from handicap.services import AmenagementSaisi, PropositionSaisie, demande_decider
    from referentiel.models import Critere

    world = enrolled(statut="en_evaluation")
    president = make_membre(
        world.session,
        PRESIDENT,
        president=True,
        first_name="Paul",
        last_name="Président",
    )
    membre = make_membre(world.session, MEMBRE, first_name="Julie", last_name="Bernard")
    membre2 = make_membre(
        world.session, MEMBRE2, first_name="Karim", last_name="Benali"
    )
    affectation_add(membre=membre, inscription=world.inscription)
    affectation_add(membre=membre2, inscription=world.inscription)
    demande_decider(
        demande=demande_deposee(world),
        amenagements=[
            AmenagementSaisi(
                type="temps_majore", description="Un tiers-temps pour chaque épreuve."
            )
        ],
        avis="Le trouble rend la rédaction manuscrite longue et pénible.",
        propositions=[
            PropositionSaisie(
                critere=Critere.objects.get(
                    referentiel=world.referentiel, code="C1.1.2"
                ),
                motif="La prise de notes manuscrite n'aura pas cours dans son métier.",
            )
        ],
        by=world.referent,
    )
    return Jury(world=world, president=president, membre=membre, membre2=membre2)
