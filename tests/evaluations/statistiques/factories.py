"""A hand-counted world for the statistics tests: one certification, two blocs of
one competency and two criteria each (small_data), a session of June 2026 with ten
enrolments of every outcome, and a session of 2025 with one certified candidate.
The expected figures in the tests are counted by hand from this docstring:

Session 2026 (jury 15/06/2026, deposit deadline 15/05/2026 12:00 UTC):
  c1..c4  certified, B1+B2 validated, decided deadline + 10 days;
          routes apprentissage, formation continue (twice), VAE
  p1, p2  partial validation (B1), C2.1.1 non acquis, formation continue,
          decided deadline + 20 days
  n1      not validated, blocs path (B2 only), C2.1.1 and C2.1.2 non acquis,
          candidat libre, decided deadline + 20 days
  a1      absent, formation continue, decided deadline + 20 days
  d1      withdrew, VAE
  w1      waiting for a decision, contrat de professionnalisation
  Accommodations: c1..c4 and p1 get « temps majoré » (5 people), c1..c4 also
  « assistance d'un tiers » (4 people); nobody has an exemption.
  Transcripts (relevé v1) issued for c1 three days and p1 five days after their
  decision.
Session 2025 (jury 10/06/2025): z1 certified (B1+B2), formation initiale.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from certif.models import User
from certif.roles import Role
from evaluations.declarations.models import DeclarationCDC, LotCDC
from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document
from evaluations.jury.models import MembreJury
from evaluations.sessions.models import Inscription, Session
from handicap.models import Amenagement, DemandeAmenagement
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
    make_user,
    small_data,
)

DEADLINE = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
C = Deliberation.Decision


@dataclass
class World:
    referentiel: Referentiel
    session: Session
    ancienne: Session
    admin: User
    president: User
    president_ancienne: User
    membre: User
    inscriptions: dict[str, Inscription]


def make_amenagements(inscription: Inscription, *types: str, by: User) -> None:
    demande = DemandeAmenagement.objects.create(
        inscription=inscription,
        besoins="Besoins confidentiels.",
        consentement_texte="J'accepte.",
        consentement_le=timezone.now(),
        deposee_le=timezone.now(),
        statut=DemandeAmenagement.Statut.DECIDEE,
        decidee_le=timezone.now(),
        decidee_par=by,
    )
    for ordre, type_ in enumerate(types):
        Amenagement.objects.create(
            demande=demande,
            type=type_,
            precision="Secrétaire"
            if type_ == Amenagement.Type.ASSISTANCE_TIERS
            else "",
            description="Aménagement.",
            ordre=ordre,
        )


def make_session_datee(
    referentiel: Referentiel, *, nom: str, jury: date, deadline: datetime
) -> Session:
    return Session.objects.create(
        referentiel=referentiel,
        nom=nom,
        date_ouverture=jury - timedelta(days=90),
        date_limite_depot=deadline,
        date_jury=jury,
        statut=Session.Statut.DELIBEREE,
    )


def make_world(*, nom_c1: str = "Martin") -> World:
    referentiel = make_referentiel(small_data(blocs=2, criteres=2))
    admin = make_user("admin@stats.fr", Role.ADMINISTRATEUR)
    membre = make_user("membre@stats.fr", Role.MEMBRE_JURY)
    session = make_session_datee(
        referentiel, nom="Session juin 2026", jury=date(2026, 6, 15), deadline=DEADLINE
    )
    ancienne = make_session_datee(
        referentiel,
        nom="Session juin 2025",
        jury=date(2025, 6, 10),
        deadline=DEADLINE - timedelta(days=365),
    )
    president = make_membre(session, "pres@stats.fr", president=True)
    president_ancienne = make_membre(ancienne, "pres25@stats.fr", president=True)
    MembreJury.objects.create(session=session, user=membre, role="membre")

    plan = (
        # key, route, blocs path, decision, validated blocs, non acquis, days
        ("c1", "apprentissage", None, C.CERTIFIE, ("B1", "B2"), (), 10),
        ("c2", "formation_continue", None, C.CERTIFIE, ("B1", "B2"), (), 10),
        ("c3", "formation_continue", None, C.CERTIFIE, ("B1", "B2"), (), 10),
        ("c4", "vae", None, C.CERTIFIE, ("B1", "B2"), (), 10),
        (
            "p1",
            "formation_continue",
            None,
            C.VALIDATION_PARTIELLE,
            ("B1",),
            ("C2.1.1",),
            20,
        ),
        (
            "p2",
            "formation_continue",
            None,
            C.VALIDATION_PARTIELLE,
            ("B1",),
            ("C2.1.1",),
            20,
        ),
        ("n1", "candidat_libre", ["B2"], C.NON_VALIDE, (), ("C2.1.1", "C2.1.2"), 20),
        ("a1", "formation_continue", None, C.ABSENT, (), (), 20),
        ("d1", "vae", None, None, (), (), 0),
        ("w1", "contrat_professionnalisation", None, None, (), (), 0),
    )
    inscriptions: dict[str, Inscription] = {}
    for key, voie, blocs, decision, valides, non_acquis, jours in plan:
        candidat = make_candidat(
            f"{key}@stats.fr", nom=nom_c1 if key == "c1" else f"Nom{key}", prenom="Léa"
        )
        inscription = make_inscription(candidat, session, blocs=blocs, voie_acces=voie)
        inscriptions[key] = inscription
        if decision is None:
            continue
        if decision != C.ABSENT:
            make_consolidations(inscription, by=president.user, non_acquis=non_acquis)
        make_deliberation(
            inscription,
            decision=decision,
            by=president.user,
            presents=[president],
            blocs=valides,
            decidee_le=DEADLINE + timedelta(days=jours),
        )
    Inscription.objects.filter(pk=inscriptions["d1"].pk).update(
        desiste_le=date(2026, 5, 1), desistement_motif="Raisons personnelles."
    )
    for key in ("c1", "c2", "c3", "c4"):
        make_amenagements(
            inscriptions[key],
            Amenagement.Type.TEMPS_MAJORE,
            Amenagement.Type.ASSISTANCE_TIERS,
            by=admin,
        )
    make_amenagements(inscriptions["p1"], Amenagement.Type.TEMPS_MAJORE, by=admin)
    for key, jours in (("c1", 3), ("p1", 5)):
        inscription = inscriptions[key]
        Document.objects.create(
            nature=Document.Nature.RELEVE,
            session=session,
            inscription=inscription,
            fichier=f"documents/{key}.pdf",
            nom_fichier=f"{key}.pdf",
            sha256="0" * 64,
            snapshot={},
            emis_le=inscription.deliberation.decidee_le + timedelta(days=jours),
        )

    # c1 declared 30 days after the decision; c2 included in a batch built but
    # never deposited (not counted); c3 declared 50 days after, then again in a
    # later batch (its first deposit counts).
    def lot(jours: int | None, n: int) -> LotCDC:
        decision = DEADLINE + timedelta(days=10)
        return LotCDC.objects.create(
            certification=referentiel.certification,
            statut=LotCDC.Statut.DEPOSE if jours else LotCDC.Statut.CONSTRUIT,
            id_flux=f"FLUX{n}",
            fichier=f"cdc/{n}.xml",
            sha256="0" * 64,
            construit_le=decision,
            cree_par=admin,
            depose_par=admin if jours else None,
            depose_le=decision + timedelta(days=jours) if jours else None,
        )

    for key, lots in (
        ("c1", (lot(30, 1),)),
        ("c2", (lot(None, 2),)),
        ("c3", (lot(50, 3), lot(70, 4))),
    ):
        for lot_cdc in lots:
            DeclarationCDC.objects.create(
                lot=lot_cdc,
                inscription=inscriptions[key],
                id_technique=key,
                donnees={},
                empreinte="0" * 64,
            )

    z1 = make_inscription(
        make_candidat("z1@stats.fr", nom="Ancien"),
        ancienne,
        voie_acces="formation_initiale",
    )
    make_consolidations(z1, by=president_ancienne.user)
    make_deliberation(
        z1,
        decision=C.CERTIFIE,
        by=president_ancienne.user,
        presents=[president_ancienne],
        blocs=("B1", "B2"),
        decidee_le=DEADLINE - timedelta(days=355),
    )
    inscriptions["z1"] = z1
    return World(
        referentiel=referentiel,
        session=session,
        ancienne=ancienne,
        admin=admin,
        president=president.user,
        president_ancienne=president_ancienne.user,
        membre=membre,
        inscriptions=inscriptions,
    )
