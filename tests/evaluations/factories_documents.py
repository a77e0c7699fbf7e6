"""Rows for the documents tests: a jury, consolidated results and locked
deliberations created with the ORM (the jury's own services belong to another
area), so that issuing documents can be tested end to end."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from certif.models import User
from certif.roles import Role
from evaluations.deliberation.models import Deliberation
from evaluations.jury.models import ConflitInterets, MembreJury
from evaluations.notation.models import Consolidation
from evaluations.resultats.models import PublicationResultats
from evaluations.sessions.models import BlocAcquis, Candidat, Inscription, Session
from referentiel.models import Critere, Referentiel
from tests.factories import (
    make_candidat,
    make_certificateur,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)
from tests.handicap.factories import grant_exemption


def make_membre(
    session: Session,
    email: str,
    *,
    president: bool = False,
    first_name: str = "Paul",
    last_name: str = "Durand",
    qualite: str = "",
) -> MembreJury:
    roles = (Role.PRESIDENT, Role.MEMBRE_JURY) if president else (Role.MEMBRE_JURY,)
    user = make_user(email, *roles, first_name=first_name, last_name=last_name)
    return MembreJury.objects.create(
        session=session,
        user=user,
        role=MembreJury.Role.PRESIDENT if president else MembreJury.Role.MEMBRE,
        qualite=qualite,
    )


def make_consolidations(
    inscription: Inscription,
    *,
    by: User,
    non_acquis: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
) -> None:
    """The jury's result on every criterion of the enrolment's blocs: acquis,
    except the codes in ``non_acquis``; none for the codes in ``skip``."""
    criteres = Critere.objects.filter(
        competence__activite__bloc__in=inscription.blocs.all()
    )
    Consolidation.objects.bulk_create(
        Consolidation(
            inscription=inscription,
            critere=critere,
            resultat="non_acquis" if critere.code in non_acquis else "acquis",
            modifie_par=by,
        )
        for critere in criteres
        if critere.code not in skip
    )


def make_deliberation(
    inscription: Inscription,
    *,
    decision: str,
    by: User,
    presents: list[MembreJury],
    blocs: tuple[str, ...] = (),
    motif: str = "Conforme aux résultats consolidés.",
    verrouillee: bool = True,
    decidee_le: datetime | None = None,
) -> Deliberation:
    deliberation = Deliberation.objects.create(
        inscription=inscription,
        decision=decision,
        motif=motif,
        verrouillee=verrouillee,
        decidee_le=decidee_le or timezone.now(),
        decidee_par=by,
    )
    deliberation.blocs_valides.set(
        inscription.session.referentiel.blocs.filter(code__in=blocs)
    )
    deliberation.presents.set(presents)
    return deliberation


@dataclass
class Scenario:
    referentiel: Referentiel
    session: Session
    president: MembreJury
    membre: MembreJury
    absent: MembreJury
    certifie: Inscription  # Marie DUPONT: certified, C2.1.2 exempted
    partiel: Inscription  # Hugo LEROY: B1 validated, B2 not; a conflict with the member
    echec: Inscription  # Zoé MARTIN: not validated
    capitalise: Inscription  # Léa PETIT: B1 capitalised earlier, B2 now: certified
    admin: User

    @property
    def inscriptions(self) -> list[Inscription]:
        return [self.certifie, self.partiel, self.echec, self.capitalise]


def make_scenario(
    *, referentiel: Referentiel | None = None, prefix: str = ""
) -> Scenario:
    """A deliberated session of four candidates on a two-bloc référentiel."""
    referentiel = referentiel or make_referentiel(small_data(blocs=2, criteres=2))
    make_certificateur(referentiel.certification)
    admin = make_user(f"{prefix}admin@test.fr", Role.ADMINISTRATEUR)
    # Open while the scenario is built (an exemption is requested and granted
    # before the vote), deliberated at the end.
    session = make_session(
        referentiel, nom=f"{prefix}Session juin", statut="en_evaluation"
    )
    Session.objects.filter(pk=session.pk).update(lieu_jury="Salle du conseil, Lyon")
    session.refresh_from_db()
    president = make_membre(
        session,
        f"{prefix}president@test.fr",
        president=True,
        qualite="Professionnel du secteur",
    )
    membre = make_membre(
        session, f"{prefix}julie@test.fr", first_name="Julie", last_name="Bernard"
    )
    absent = make_membre(
        session, f"{prefix}karim@test.fr", first_name="Karim", last_name="Benali"
    )
    presents = [president, membre]
    by = president.user

    certifie = make_inscription(
        make_candidat(f"{prefix}marie@test.fr", nom="Dupont", prenom="Marie"), session
    )
    grant_exemption(
        certifie,
        Critere.objects.get(referentiel=referentiel, code="C2.1.2"),
        president=by,
        referent=make_user(f"{prefix}referent@test.fr", Role.REFERENT_HANDICAP),
        presents=presents,
    )
    make_consolidations(certifie, by=by, skip=("C2.1.2",))
    make_deliberation(
        certifie,
        decision=Deliberation.Decision.CERTIFIE,
        by=by,
        presents=presents,
        blocs=("B1", "B2"),
    )

    partiel = make_inscription(
        make_candidat(f"{prefix}hugo@test.fr", nom="Leroy", prenom="Hugo"), session
    )
    make_consolidations(partiel, by=by, non_acquis=("C2.1.1",))
    make_deliberation(
        partiel,
        decision=Deliberation.Decision.VALIDATION_PARTIELLE,
        by=by,
        presents=[president],
        blocs=("B1",),
        motif="Le critère C2.1.1 n'est pas acquis.",
    )
    ConflitInterets.objects.create(
        membre=membre, inscription=partiel, nature=ConflitInterets.Nature.EMPLOYEUR
    )

    echec = make_inscription(
        make_candidat(f"{prefix}zoe@test.fr", nom="Martin", prenom="Zoé"), session
    )
    make_consolidations(echec, by=by, non_acquis=("C1.1.1", "C2.1.1"))
    make_deliberation(
        echec,
        decision=Deliberation.Decision.NON_VALIDE,
        by=by,
        presents=presents,
        motif="Aucun bloc validé.",
    )

    lea = make_candidat(f"{prefix}lea@test.fr", nom="Petit", prenom="Léa")
    earlier = make_session(referentiel, nom=f"{prefix}Session 2025", statut="close")
    earlier_inscription = make_inscription(lea, earlier, blocs=["B1"])
    BlocAcquis.objects.create(
        candidat=lea,
        bloc=referentiel.blocs.get(code="B1"),
        session=earlier,
        inscription=earlier_inscription,
        acquis_le=date(2025, 6, 30),
    )
    capitalise = make_inscription(lea, session, blocs=["B2"])
    make_consolidations(capitalise, by=by)
    make_deliberation(
        capitalise,
        decision=Deliberation.Decision.CERTIFIE,
        by=by,
        presents=presents,
        blocs=("B2",),
        decidee_le=timezone.now() - timedelta(hours=1),
    )
    Session.objects.filter(pk=session.pk).update(statut="deliberee")
    session.refresh_from_db()
    return Scenario(
        referentiel=referentiel,
        session=session,
        president=president,
        membre=membre,
        absent=absent,
        certifie=certifie,
        partiel=partiel,
        echec=echec,
        capitalise=capitalise,
        admin=admin,
    )


def candidat_of(inscription: Inscription) -> Candidat:
    return Candidat.objects.get(pk=inscription.candidat_id)


def mark_published(session: Session) -> None:
    """Record the session's results as published (the world after the
    publication, whose own run is tested in tests/evaluations/resultats): its
    candidates see their documents and are told of new ones."""
    now = timezone.now()
    PublicationResultats.objects.create(
        session=session,
        statut=PublicationResultats.Statut.PUBLIEE,
        prevue_le=now,
        publiee_le=now,
        terminee_le=now,
    )
