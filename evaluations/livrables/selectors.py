"""Reads of the deliverables area: who may see which file, and the
candidate's dossier (what each modality expects, every file with its history)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from certif.models import User
from certif.roles import is_admin
from evaluations.jury.models import Affectation, ConflitInterets, MembreJury
from evaluations.livrables.models import Livrable
from evaluations.sessions.models import (
    Inscription,
)
from evaluations.sessions.selectors import capitalises_of
from referentiel.models import Activite, Bloc, Competence, Modalite


def livrables_visible_to(*, user: User) -> QuerySet[Livrable]:
    """Administrators: every file. Candidates: their own. Jury members: the files
    of the enrolments assigned to them, and the jury's president: the files of the
    session's enrolments, unless a conflict of interest was declared with that
    candidate."""
    queryset = Livrable.objects.select_related(
        "inscription__session", "inscription__candidat", "modalite"
    )
    if is_admin(user):
        return queryset
    conflit = ConflitInterets.objects.filter(
        membre_id=OuterRef("membre_id"), inscription_id=OuterRef("inscription_id")
    )
    affectees = (
        Affectation.objects.filter(membre__user=user)
        .filter(~Exists(conflit))
        .values("inscription_id")
    )
    presidences = MembreJury.objects.filter(
        user=user, role=MembreJury.Role.PRESIDENT
    ).values("session_id")
    conflits = ConflitInterets.objects.filter(membre__user=user).values(
        "inscription_id"
    )
    return queryset.filter(
        Q(inscription__candidat__user=user)
        | Q(inscription_id__in=affectees)
        | (Q(inscription__session_id__in=presidences) & ~Q(inscription_id__in=conflits))
    )


@dataclass(frozen=True)
class VersionLivrable:
    """A file of the dossier: current unless a later version replaced it."""

    livrable: Livrable
    est_courant: bool


@dataclass
class ModaliteDossier:
    competence: Competence
    modalite: Modalite
    consigne: str  # the modality's description: the elements to present
    livrables: list[VersionLivrable] = field(default_factory=list)
    # On a blocs-only path: the instruction to present them as a dossier
    # professionnel (« reprenant l'ensemble des éléments précités »).
    dossier_professionnel: str = ""

    @property
    def courants(self) -> list[Livrable]:
        return [
            version.livrable
            for version in self.livrables
            if version.est_courant and version.livrable.retire_le is None
        ]


@dataclass
class BlocDossier:
    bloc: Bloc
    modalites: list[ModaliteDossier]


@dataclass
class Dossier:
    inscription: Inscription
    blocs: list[BlocDossier]
    capitalises: list[Bloc]

    @property
    def nb_attendus(self) -> int:
        return sum(len(bloc.modalites) for bloc in self.blocs)

    @property
    def nb_recus(self) -> int:
        return sum(
            1 for bloc in self.blocs for modalite in bloc.modalites if modalite.courants
        )

    def contient(self, modalite_id: int) -> bool:
        """Whether the dossier has a card for this modality (in the path, not
        capitalised)."""
        return any(
            item.modalite.pk == modalite_id
            for bloc in self.blocs
            for item in bloc.modalites
        )


def dossier_of(*, inscription: Inscription) -> Dossier:
    """Per bloc and competency of the path: what is expected (the modality's
    description, and on a blocs-only path the dossier professionnel instruction
    that refers to it) and every file with its history. Five queries whatever the size of the path and the number of files."""
    blocs = list(
        inscription.blocs.order_by("ordre", "code").prefetch_related(
            Prefetch(
                "activites",
                queryset=Activite.objects.order_by("ordre", "code").prefetch_related(
                    Prefetch(
                        "competences",
                        queryset=Competence.objects.order_by(
                            "ordre", "code"
                        ).select_related("modalite"),
                    )
                ),
            )
        )
    )
    livrables = list(
        Livrable.objects.filter(inscription=inscription).order_by(
            "modalite_id", "depose_le", "pk"
        )
    )
    replaced = {livrable.remplace_id for livrable in livrables if livrable.remplace_id}
    par_modalite: dict[int, list[VersionLivrable]] = defaultdict(list)
    for livrable in livrables:
        par_modalite[livrable.modalite_id].append(
            VersionLivrable(livrable, est_courant=livrable.pk not in replaced)
        )
    blocs_only = inscription.parcours == Inscription.Parcours.BLOCS
    result = []
    for bloc in blocs:
        modalites = []
        for activite in bloc.activites.all():
            for competence in activite.competences.all():
                modalite = getattr(competence, "modalite", None)
                if modalite is None:
                    continue
                modalites.append(
                    ModaliteDossier(
                        competence=competence,
                        modalite=modalite,
                        consigne=modalite.description,
                        livrables=par_modalite.get(modalite.pk, []),
                        dossier_professionnel=modalite.description_capitalisation
                        if blocs_only
                        else "",
                    )
                )
        result.append(BlocDossier(bloc=bloc, modalites=modalites))
    session = inscription.session
    acquis = capitalises_of(inscription=inscription)
    capitalises = list(
        Bloc.objects.filter(referentiel_id=session.referentiel_id, code__in=acquis)
        .exclude(pk__in=[bloc.pk for bloc in blocs])
        .order_by("ordre", "code")
    )
    return Dossier(inscription=inscription, blocs=result, capitalises=capitalises)


@dataclass(frozen=True)
class CertificateurRecu:
    """The certifier as the receipt prints it (the names match the documents'
    header, ``templates/evaluations/pdf/_entete.html``)."""

    raison_sociale: str = ""
    adresse: str = ""
    siret: str = ""
    specimen: bool = False


@dataclass(frozen=True)
class RecuDepot:
    """What a deposit receipt says, read from the stored deposit: the same
    values, so the same receipt, every time it is asked for."""

    reference: int
    certificateur: CertificateurRecu
    candidat: str
    email: str
    session: str
    certification: str
    modalite_code: str
    modalite_intitule: str
    fichier: str
    version: int
    taille: int
    sha256: str
    depose_le: datetime


def recu_of(*, livrable: Livrable) -> RecuDepot:
    """The receipt of one deposit (one version of one file), in one query: the
    deposit with everything it names, read again so that a caller's stale
    instance changes nothing."""
    livrable = Livrable.objects.select_related(
        "inscription__candidat__user",
        "inscription__session__referentiel__certification__certificateur",
        "modalite__competence",
    ).get(pk=livrable.pk)
    inscription = livrable.inscription
    certification = inscription.session.referentiel.certification
    certificateur = certification.certificateur
    return RecuDepot(
        reference=livrable.pk,
        certificateur=CertificateurRecu()
        if certificateur is None
        else CertificateurRecu(
            raison_sociale=certificateur.raison_sociale,
            adresse=certificateur.adresse,
            siret=certificateur.siret,
            specimen=certificateur.specimen,
        ),
        candidat=inscription.candidat.nom_complet,
        email=inscription.candidat.user.email,
        session=inscription.session.nom,
        certification=f"{certification.code} — {certification.intitule}",
        modalite_code=livrable.modalite.competence.code,
        modalite_intitule=livrable.modalite.intitule,
        fichier=livrable.nom_original,
        version=livrable.version,
        taille=livrable.taille,
        sha256=livrable.sha256,
        depose_le=livrable.depose_le,
    )
