"""Objects of the handicap app for tests: real rows through the services."""

from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from certif.models import User
from certif.roles import Role
from evaluations.deliberation.services import dispense_decider
from evaluations.jury.models import MembreJury
from evaluations.jury.selectors import presents_possibles
from evaluations.sessions.models import Inscription, Session
from handicap.demo import demo_pdf
from handicap.models import Amenagement, DemandeAmenagement
from handicap.services import (
    AmenagementSaisi,
    PropositionSaisie,
    demande_decider,
    demande_deposer,
)
from referentiel.models import Critere
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)

BESOINS = "Sclérose en plaques : fatigue importante après trente minutes d'oral."
AVIS = "Les aménagements compensent la fatigabilité sans toucher aux critères."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_upload(name: str = "certificat.pdf") -> SimpleUploadedFile:
    return demo_pdf(name)


def png_upload(name: str = "scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def make_demande(
    inscription: Inscription, *, besoins: str = BESOINS, pieces: int = 1
) -> DemandeAmenagement:
    return demande_deposer(
        inscription=inscription,
        besoins=besoins,
        modalites=[],
        consentement=True,
        pieces=[pdf_upload(f"piece-{i}.pdf") for i in range(pieces)],
        by=inscription.candidat.user,
    )


def make_decision(
    demande: DemandeAmenagement,
    referent: User,
    *,
    propositions: Sequence[Critere] = (),
) -> DemandeAmenagement:
    return demande_decider(
        demande=demande,
        amenagements=[
            AmenagementSaisi(
                type=Amenagement.Type.TEMPS_MAJORE,
                description="Tiers-temps pour chaque épreuve orale.",
            ),
            AmenagementSaisi(
                type=Amenagement.Type.ASSISTANCE_TIERS,
                precision="Secrétaire",
                description="Un secrétaire écrit sous la dictée du candidat.",
            ),
        ],
        avis=AVIS,
        propositions=[
            PropositionSaisie(critere=c, motif=f"Motif pour {c.code}.")
            for c in propositions
        ],
        by=referent,
    )


def make_membre(session: Session, user: User, *, president: bool = False) -> MembreJury:
    return MembreJury.objects.create(
        session=session,
        user=user,
        role=MembreJury.Role.PRESIDENT if president else MembreJury.Role.MEMBRE,
    )


class HandicapTestCase(TestCase):
    """Personas: the candidate who files (``candidat``), another candidate of the
    same session, the référent handicap, the administrator, a jury member and the
    president of the session, the president of another session."""

    candidat: User
    inscription: Inscription

    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel(small_data(blocs=2, criteres=3))
        cls.session = make_session(cls.referentiel, nom="Session A")
        cls.autre_session = make_session(cls.referentiel, nom="Session B")
        cand = make_candidat("candidat@example.org", nom="Dupont", prenom="Marie")
        cls.candidat = cand.user
        cls.inscription = make_inscription(cand, cls.session)
        autre = make_candidat("autre@example.org", nom="Martin", prenom="Léa")
        cls.autre = autre.user
        cls.autre_inscription = make_inscription(autre, cls.session)
        cls.referent = make_user("referent@example.org", Role.REFERENT_HANDICAP)
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.jury = make_user("jury@example.org", Role.MEMBRE_JURY)
        make_membre(cls.session, cls.jury)
        cls.president = make_user(
            "president@example.org",
            Role.PRESIDENT,
            Role.MEMBRE_JURY,
            first_name="Paul",
            last_name="Durand",
        )
        make_membre(cls.session, cls.president, president=True)
        cls.autre_president = make_user("president2@example.org", Role.PRESIDENT)
        make_membre(cls.autre_session, cls.autre_president, president=True)
        cls.criteres = list(
            Critere.objects.filter(referentiel=cls.referentiel).order_by("code")
        )


def grant_exemption(
    inscription: Inscription,
    critere: Critere,
    *,
    president: User,
    referent: User,
    presents: list[MembreJury] | None = None,
) -> None:
    """A granted exemption the way the platform makes one: the candidate's request,
    the référent's avis proposing the criterion, the president's decision with both
    legal conditions, taken by the jury sitting (``presents``: by default every
    member who may sit). The session must still be open and ``president`` must
    preside its jury."""
    demande = make_demande(inscription)
    make_decision(demande, referent, propositions=[critere])
    dispense_decider(
        inscription=inscription,
        critere=critere,
        accorder=True,
        condition_capacite_globale=True,
        condition_pratique_future=True,
        raisonnement="Le critère porte sur un geste que le handicap empêche.",
        presents=presents
        if presents is not None
        else presents_possibles(inscription=inscription),
        by=president,
    )
