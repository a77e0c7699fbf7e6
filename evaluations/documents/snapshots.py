"""The frozen snapshots documents are rendered from.

A snapshot holds only plain values (str, int, bool, tuples of snapshots), so that
it is stored as JSON with the document and read back as the same dataclass: the
stored PDF, the verification page and a later comparison all use the data as it
was when the document was issued.

Snapshots are read back for ever (the verification page of a document issued
years ago): every field added after version 1 has a default, the stored JSON
carries its ``schema`` version, and ``snapshot_from_json`` fills a missing field
with its default and ignores an unknown key. Never rename or remove a field."""

import json
import types
from dataclasses import MISSING, asdict, dataclass, fields, is_dataclass
from datetime import date
from typing import (
    TYPE_CHECKING,
    Any,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document
from evaluations.jury.models import ConflitInterets, MembreJury
from evaluations.notation.models import Consolidation, DerogationValidation
from evaluations.sessions.models import Candidat, Inscription, Session
from evaluations.sessions.selectors import capitalises_of
from handicap import selectors as handicap_selectors
from handicap.models import Dispense
from referentiel.models import Certificateur, Critere, Referentiel
from referentiel.selectors import referentiel_tree

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S", bound="DataclassInstance")

# Version 1: the snapshots issued before the certifier, the registration and the
# holder's birth were frozen with them. Version 2 added them (all with defaults).
SNAPSHOT_SCHEMA = 2


@dataclass(frozen=True)
class CertificateurInfo:
    """The certifier as printed on the document (its images are not frozen here:
    the PDF carries them)."""

    raison_sociale: str = ""
    siret: str = ""
    adresse: str = ""
    ville: str = ""
    signataire_nom: str = ""
    signataire_qualite: str = ""
    recours: str = ""
    specimen: bool = False


@dataclass(frozen=True)
class Titulaire:
    prenoms: str
    nom_naissance: str
    nom_usage: str
    date_naissance: str = ""  # ISO date
    lieu_naissance: str = ""
    sexe: str = ""  # M / F: « né » or « née »

    @property
    def nom_complet(self) -> str:
        """The one naming rule of documents: every first name and the birth name
        (the usage name, when there is one, is printed beside it)."""
        return f"{self.prenoms} {self.nom_naissance}"

    @property
    def date_naissance_date(self) -> date | None:
        return date.fromisoformat(self.date_naissance) if self.date_naissance else None


@dataclass(frozen=True)
class CertificationInfo:
    code: str
    intitule: str
    niveau: int
    version: str
    niveau_libelle: str = ""
    nsf: str = ""
    date_enregistrement: str = ""  # ISO date of France compétences' decision
    date_fin_enregistrement: str = ""  # ISO date

    @property
    def date_enregistrement_date(self) -> date | None:
        if not self.date_enregistrement:
            return None
        return date.fromisoformat(self.date_enregistrement)


@dataclass(frozen=True)
class BlocLigne:
    """A validated bloc on an award: in this session or capitalised earlier."""

    code: str
    intitule: str
    session: str
    acquis_le: str  # ISO date
    capitalise: bool
    code_rncp: str = ""

    @property
    def acquis_le_date(self) -> date:
        return date.fromisoformat(self.acquis_le)


@dataclass(frozen=True)
class DistinctionSnapshot:
    """A parchemin (certification obtained) or an attestation de blocs."""

    titulaire: Titulaire
    certification: CertificationInfo
    session: str
    date_decision: str  # ISO date
    blocs: tuple[BlocLigne, ...]
    certificateur: CertificateurInfo = CertificateurInfo()

    @property
    def date_decision_date(self) -> date:
        return date.fromisoformat(self.date_decision)


@dataclass(frozen=True)
class CritereLigne:
    code: str
    intitule: str
    resultat: str  # acquis / non_acquis / dispense / non_evalue
    libelle: str


@dataclass(frozen=True)
class CompetenceLigne:
    code: str
    intitule: str
    acquise: bool
    criteres: tuple[CritereLigne, ...]


@dataclass(frozen=True)
class BlocReleve:
    code: str
    intitule: str
    statut: str  # valide / non_valide / capitalise / non_presente / absent
    libelle: str
    competences: tuple[CompetenceLigne, ...]
    code_rncp: str = ""


@dataclass(frozen=True)
class ReleveSnapshot:
    titulaire: Titulaire
    certification: CertificationInfo
    session: str
    date_jury: str  # ISO date
    parcours: str
    decision: str
    decision_libelle: str
    motif: str
    date_decision: str  # ISO date
    blocs: tuple[BlocReleve, ...]
    dispenses: tuple[str, ...]  # criterion codes
    certificateur: CertificateurInfo = CertificateurInfo()

    @property
    def date_decision_date(self) -> date:
        return date.fromisoformat(self.date_decision)

    @property
    def date_jury_date(self) -> date:
        return date.fromisoformat(self.date_jury)


@dataclass(frozen=True)
class MembrePV:
    nom: str
    role: str
    president: bool
    present: bool
    qualite: str = ""


@dataclass(frozen=True)
class ConflitPV:
    membre: str
    candidat: str
    nature: str


@dataclass(frozen=True)
class CandidatPV:
    nom: str
    decision: str
    decision_libelle: str
    blocs_valides: tuple[str, ...]
    dispenses: tuple[str, ...]
    date_decision: str  # ISO date
    motif: str = ""

    @property
    def date_decision_date(self) -> date:
        return date.fromisoformat(self.date_decision)


@dataclass(frozen=True)
class DispensePV:
    """An exemption granted by the jury, as the PV prints it."""

    candidat: str
    critere: str  # code
    intitule: str
    avis: str  # reference of the référent's avis motivé
    condition_capacite_globale: bool
    condition_pratique_future: bool
    ensemble: str  # codes covered by condition 1 at that decision
    raisonnement: str
    presents: tuple[str, ...]
    decidee_le: str  # ISO date

    @property
    def decidee_le_date(self) -> date:
        return date.fromisoformat(self.decidee_le)


@dataclass(frozen=True)
class EcartPV:
    """A decision that departs from the roll-up's proposal, with its motive."""

    candidat: str
    proposition: str
    decision: str
    motif: str


@dataclass(frozen=True)
class DerogationPV:
    """A consolidation and vote without an evaluator's validated grid."""

    candidat: str
    evaluateur: str
    motif: str


@dataclass(frozen=True)
class AbsentPV:
    """A candidate the jury recorded as absent, with the motive."""

    candidat: str
    motif: str


@dataclass(frozen=True)
class DesistementPV:
    """A candidate who withdrew before the jury."""

    candidat: str
    le: str  # ISO date
    motif: str

    @property
    def le_date(self) -> date:
        return date.fromisoformat(self.le)


@dataclass(frozen=True)
class ReportPV:
    """A candidate whose enrolment was deferred to a later session."""

    candidat: str
    session: str
    motif: str


@dataclass(frozen=True)
class ReglesPV:
    """What the PV prints for the jury's rules (``_pv_regles.html``). Every field
    has a default: a PV issued before a field existed still reads."""

    dispenses: tuple[DispensePV, ...] = ()
    ecarts: tuple[EcartPV, ...] = ()
    derogations: tuple[DerogationPV, ...] = ()
    absents: tuple[AbsentPV, ...] = ()
    desistements: tuple[DesistementPV, ...] = ()
    reports: tuple[ReportPV, ...] = ()


@dataclass(frozen=True)
class PVSnapshot:
    session: str
    certification: CertificationInfo
    date_jury: str  # ISO date
    date_deliberation: str  # ISO date: the last decision
    membres: tuple[MembrePV, ...]
    conflits: tuple[ConflitPV, ...]
    candidats: tuple[CandidatPV, ...]
    regles: ReglesPV = ReglesPV()
    certificateur: CertificateurInfo = CertificateurInfo()
    lieu: str = ""

    @property
    def date_jury_date(self) -> date:
        return date.fromisoformat(self.date_jury)

    @property
    def date_deliberation_date(self) -> date:
        return date.fromisoformat(self.date_deliberation)

    @property
    def presents(self) -> tuple[MembrePV, ...]:
        return tuple(m for m in self.membres if m.present)

    @property
    def nb_certifies(self) -> int:
        return sum(c.decision == Deliberation.Decision.CERTIFIE for c in self.candidats)

    @property
    def nb_partiels(self) -> int:
        return sum(
            c.decision == Deliberation.Decision.VALIDATION_PARTIELLE
            for c in self.candidats
        )

    @property
    def nb_non_valides(self) -> int:
        return sum(
            c.decision == Deliberation.Decision.NON_VALIDE for c in self.candidats
        )

    @property
    def nb_absents(self) -> int:
        return sum(c.decision == Deliberation.Decision.ABSENT for c in self.candidats)

    @property
    def nb_dispenses(self) -> int:
        return sum(len(c.dispenses) for c in self.candidats)


@dataclass(frozen=True)
class LettreSnapshot:
    """The result letter sent at the publication of the results: the relevé's
    data (decision, motive, blocs and competencies; its criteria are not
    printed), with what the publication adds: its date, the appeal deadline, the
    validity of the acquired blocs. Built by ``evaluations/resultats``; the
    properties let the verification page read it like an award."""

    releve: ReleveSnapshot
    publiee_le: str  # ISO date
    date_limite_recours: str  # ISO date
    delai_recours_mois: int
    validite_blocs_mois: int | None = None  # None: with no time limit
    blocs_valables_jusqu_au: str = ""  # ISO date, when limited
    reglement_url: str = ""
    decision_phrase: str = ""  # the decision in one sentence

    @property
    def certificateur(self) -> CertificateurInfo:
        return self.releve.certificateur

    @property
    def titulaire(self) -> Titulaire:
        return self.releve.titulaire

    @property
    def certification(self) -> CertificationInfo:
        return self.releve.certification

    @property
    def date_decision_date(self) -> date:
        return self.releve.date_decision_date

    @property
    def decision_libelle(self) -> str:
        return self.releve.decision_libelle

    @property
    def blocs(self) -> tuple[BlocReleve, ...]:
        """The blocs acquired: validated now or capitalised earlier."""
        return tuple(
            b for b in self.releve.blocs if b.statut in {"valide", "capitalise"}
        )

    @property
    def blocs_manquants(self) -> tuple[BlocReleve, ...]:
        """The blocs still to acquire for the whole certification."""
        return tuple(
            b for b in self.releve.blocs if b.statut not in {"valide", "capitalise"}
        )

    @property
    def publiee_le_date(self) -> date:
        return date.fromisoformat(self.publiee_le)

    @property
    def date_limite_recours_date(self) -> date:
        return date.fromisoformat(self.date_limite_recours)

    @property
    def blocs_valables_jusqu_au_date(self) -> date | None:
        if not self.blocs_valables_jusqu_au:
            return None
        return date.fromisoformat(self.blocs_valables_jusqu_au)


@dataclass(frozen=True)
class RecoursAddendum:
    """One decided appeal as the addendum prints it. ``nouvelle_decision`` is
    the decision of the new vote of a revised appeal, empty while it is
    awaited."""

    reference: str
    candidat: str  # nom_document
    depose_le: str  # ISO date (Paris)
    decide_le: str  # ISO date (Paris)
    issue: str  # Recours.Issue value
    issue_libelle: str
    motif: str
    decision_initiale: str = ""
    nouvelle_decision: str = ""
    nouvelle_decision_le: str = ""  # ISO date (Paris), with the new decision

    @property
    def depose_le_date(self) -> date:
        return date.fromisoformat(self.depose_le)

    @property
    def decide_le_date(self) -> date:
        return date.fromisoformat(self.decide_le)

    @property
    def nouvelle_decision_le_date(self) -> date | None:
        if not self.nouvelle_decision_le:
            return None
        return date.fromisoformat(self.nouvelle_decision_le)


@dataclass(frozen=True)
class AddendumSnapshot:
    """The addendum to a session's PV: every decided appeal of the session and
    its outcome. Built by ``evaluations/recours``."""

    session: str
    certification: CertificationInfo
    date_jury: str  # ISO date
    recours: tuple[RecoursAddendum, ...]
    certificateur: CertificateurInfo = CertificateurInfo()
    lieu: str = ""

    @property
    def date_jury_date(self) -> date:
        return date.fromisoformat(self.date_jury)

    @property
    def nb_maintenus(self) -> int:
        return sum(r.issue == "maintenue" for r in self.recours)

    @property
    def nb_revises(self) -> int:
        return sum(r.issue == "revisee" for r in self.recours)


Snapshot = (
    DistinctionSnapshot
    | ReleveSnapshot
    | PVSnapshot
    | LettreSnapshot
    | AddendumSnapshot
)


SNAPSHOT_CLASSES: dict[str, type[Any]] = {
    Document.Nature.PARCHEMIN: DistinctionSnapshot,
    Document.Nature.ATTESTATION: DistinctionSnapshot,
    Document.Nature.RELEVE: ReleveSnapshot,
    Document.Nature.PV: PVSnapshot,
    Document.Nature.LETTRE: LettreSnapshot,
    Document.Nature.ADDENDUM: AddendumSnapshot,
}


def snapshot_to_json(snapshot: Any) -> dict[str, Any]:
    """The snapshot as stored in ``Document.snapshot`` (tuples become lists), with
    its schema version."""
    data: dict[str, Any] = json.loads(json.dumps(asdict(snapshot)))
    data["schema"] = SNAPSHOT_SCHEMA
    return data


def snapshot_from_json(cls: type[S], data: dict[str, Any]) -> S:
    """Read a stored snapshot back as its dataclass, whatever its schema version:
    a field missing from older data takes its default, an unknown key (such as
    ``schema``) is ignored."""
    hints = get_type_hints(cls)
    values = {}
    for field in fields(cls):
        if field.name in data:
            values[field.name] = _from_json(hints[field.name], data[field.name])
        elif field.default is MISSING and field.default_factory is MISSING:
            raise ValueError(f"{cls.__name__}.{field.name} missing from the snapshot")
    return cls(**values)


def _from_json(hint: Any, value: Any) -> Any:
    if get_origin(hint) in {Union, types.UnionType}:
        if value is None:
            return None
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
    if isinstance(hint, type) and is_dataclass(hint):
        return snapshot_from_json(hint, value)
    if get_origin(hint) is tuple:
        item = get_args(hint)[0]
        return tuple(_from_json(item, v) for v in value)
    return value


def snapshot_schema(data: dict[str, Any]) -> int:
    """The schema version of stored snapshot data (1 before versions were kept)."""
    return int(data.get("schema", 1))


def document_snapshot(document: Document) -> Any:
    return snapshot_from_json(SNAPSHOT_CLASSES[document.nature], document.snapshot)


class DocumentsIndisponiblesError(Exception):
    """The enrolment or session is not in a state that allows issuing documents."""


def certification_info(referentiel: Referentiel) -> CertificationInfo:
    certification = referentiel.certification
    return CertificationInfo(
        code=certification.code,
        intitule=certification.intitule,
        niveau=certification.niveau,
        version=referentiel.version,
        niveau_libelle=certification.niveau_libelle,
        nsf=certification.nsf,
        date_enregistrement=_iso(certification.date_enregistrement),
        date_fin_enregistrement=_iso(certification.date_fin_enregistrement),
    )


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def certificateur_info(certificateur: Certificateur | None) -> CertificateurInfo:
    if certificateur is None:
        return CertificateurInfo()
    return CertificateurInfo(
        raison_sociale=certificateur.raison_sociale,
        siret=certificateur.siret,
        adresse=certificateur.adresse,
        ville=certificateur.ville,
        signataire_nom=certificateur.signataire_nom,
        signataire_qualite=certificateur.signataire_qualite,
        recours=certificateur.recours,
        specimen=certificateur.specimen,
    )


def nom_document(candidat: Candidat) -> str:
    """The one naming rule for a candidate on every document: all first names,
    birth name, and the usage name when there is one."""
    nom = f"{candidat.prenoms} {candidat.nom_naissance}"
    if candidat.nom_usage:
        nom += " " + _("(nom d'usage : %(nom)s)") % {"nom": candidat.nom_usage}
    return nom


def _titulaire(inscription: Inscription) -> Titulaire:
    candidat = inscription.candidat
    return Titulaire(
        prenoms=candidat.prenoms,
        nom_naissance=candidat.nom_naissance,
        nom_usage=candidat.nom_usage,
        date_naissance=candidat.date_naissance.isoformat(),
        lieu_naissance=candidat.lieu_naissance_document,
        sexe=candidat.sexe,
    )


def _local_date(value: Any) -> str:
    return timezone.localdate(value).isoformat()


@dataclass(frozen=True)
class InscriptionSnapshots:
    """What an enrolment's deliberation entitles it to: always a relevé; a
    parchemin when certified; an attestation when blocs were validated."""

    releve: ReleveSnapshot
    parchemin: DistinctionSnapshot | None
    attestation: DistinctionSnapshot | None

    def by_nature(self) -> dict[str, Any]:
        result: dict[str, Any] = {Document.Nature.RELEVE: self.releve}
        if self.parchemin is not None:
            result[Document.Nature.PARCHEMIN] = self.parchemin
        if self.attestation is not None:
            result[Document.Nature.ATTESTATION] = self.attestation
        return result


def inscription_snapshots(*, inscription_id: int) -> InscriptionSnapshots:
    """The frozen data of an enrolment's documents, read from the locked
    deliberation, the consolidated results, the granted exemptions and the blocs
    capitalised for the same certification (about ten queries)."""
    inscription = (
        Inscription.objects.select_related(
            "candidat", "session__referentiel__certification__certificateur"
        )
        .prefetch_related("blocs")
        .get(pk=inscription_id)
    )
    try:
        deliberation = Deliberation.objects.prefetch_related("blocs_valides").get(
            inscription=inscription
        )
    except Deliberation.DoesNotExist:
        raise DocumentsIndisponiblesError(
            _("Aucune délibération pour ce candidat.")
        ) from None
    if not deliberation.verrouillee:
        raise DocumentsIndisponiblesError(_("La délibération n'est pas verrouillée."))

    session = inscription.session
    referentiel = referentiel_tree(pk=session.referentiel_id)
    certification = certification_info(session.referentiel)
    certificateur = certificateur_info(session.referentiel.certification.certificateur)
    titulaire = _titulaire(inscription)
    date_decision = _local_date(deliberation.decidee_le)

    resultats = dict(
        Consolidation.objects.filter(inscription=inscription).values_list(
            "critere_id", "resultat"
        )
    )
    dispenses = handicap_selectors.criteres_dispenses_for(
        inscription_ids=[inscription.pk]
    ).get(inscription.pk, set())
    valides_ici = {b.pk for b in deliberation.blocs_valides.all()}
    evalues = {b.pk for b in inscription.blocs.all()}
    capitalises = capitalises_of(inscription=inscription)
    # An absent candidate's relevé says so for each bloc, without criteria.
    absent = deliberation.decision == Deliberation.Decision.ABSENT

    libelles = {
        "acquis": _("Acquis"),
        "non_acquis": _("Non acquis"),
        "dispense": _("Dispensé"),
        "non_evalue": _("Non évalué"),
    }
    blocs_releve: list[BlocReleve] = []
    blocs_valides: list[BlocLigne] = []
    codes_dispenses: list[str] = []
    for bloc in referentiel.blocs.all():
        competences: list[CompetenceLigne] = []
        if bloc.pk in valides_ici:
            statut, libelle = "valide", _("Validé")
            blocs_valides.append(
                BlocLigne(
                    bloc.code,
                    bloc.intitule,
                    session.nom,
                    date_decision,
                    False,
                    bloc.code_rncp,
                )
            )
        elif bloc.code in capitalises:
            acquis = capitalises[bloc.code]
            statut = "capitalise"
            libelle = _("Acquis lors de la session « %(session)s »") % {
                "session": acquis.session.nom
            }
            blocs_valides.append(
                BlocLigne(
                    bloc.code,
                    bloc.intitule,
                    acquis.session.nom,
                    acquis.acquis_le.isoformat(),
                    True,
                    bloc.code_rncp,
                )
            )
        elif bloc.pk in evalues and absent:
            statut, libelle = "absent", _("Absent")
        elif bloc.pk in evalues:
            statut, libelle = "non_valide", _("Non validé")
        else:
            statut, libelle = "non_presente", _("Non présenté")
        if bloc.pk in evalues and not absent:
            for activite in bloc.activites.all():
                for competence in activite.competences.all():
                    criteres: list[CritereLigne] = []
                    for critere in competence.criteres.all():
                        if critere.pk in dispenses:
                            resultat = "dispense"
                            codes_dispenses.append(critere.code)
                        else:
                            resultat = resultats.get(critere.pk, "non_evalue")
                        criteres.append(
                            CritereLigne(
                                critere.code,
                                critere.intitule,
                                resultat,
                                str(libelles[resultat]),
                            )
                        )
                    acquise = all(
                        c.resultat in {"acquis", "dispense"} for c in criteres
                    )
                    competences.append(
                        CompetenceLigne(
                            competence.code,
                            competence.intitule,
                            acquise,
                            tuple(criteres),
                        )
                    )
        blocs_releve.append(
            BlocReleve(
                bloc.code,
                bloc.intitule,
                statut,
                libelle,
                tuple(competences),
                bloc.code_rncp,
            )
        )

    releve = ReleveSnapshot(
        titulaire=titulaire,
        certification=certification,
        session=session.nom,
        date_jury=session.date_jury.isoformat(),
        parcours=str(inscription.get_parcours_display()),
        decision=deliberation.decision,
        decision_libelle=str(deliberation.get_decision_display()),
        motif=deliberation.motif,
        date_decision=date_decision,
        blocs=tuple(blocs_releve),
        dispenses=tuple(codes_dispenses),
        certificateur=certificateur,
    )
    distinction = DistinctionSnapshot(
        titulaire=titulaire,
        certification=certification,
        session=session.nom,
        date_decision=date_decision,
        blocs=tuple(blocs_valides),
        certificateur=certificateur,
    )
    decision = deliberation.decision
    return InscriptionSnapshots(
        releve=releve,
        parchemin=distinction if decision == Deliberation.Decision.CERTIFIE else None,
        attestation=distinction
        if decision == Deliberation.Decision.VALIDATION_PARTIELLE and blocs_valides
        else None,
    )


def pv_snapshot(*, session_id: int) -> PVSnapshot:
    """The frozen data of a session's PV: members and presence, recusals, each
    candidate's decision and the codes of the criteria exempted (no medical
    detail: only the codes), in a fixed number of queries."""
    session = Session.objects.select_related(
        "referentiel__certification__certificateur"
    ).get(pk=session_id)
    deliberations = list(
        Deliberation.objects.filter(inscription__session=session)
        .select_related("inscription__candidat")
        .prefetch_related(
            "blocs_valides", Prefetch("presents", queryset=MembreJury.objects.all())
        )
        .order_by(
            "inscription__candidat__nom_naissance", "inscription__candidat__prenom1"
        )
    )
    if not deliberations:
        raise DocumentsIndisponiblesError(_("Aucune délibération dans cette session."))
    if any(not d.verrouillee for d in deliberations):
        raise DocumentsIndisponiblesError(
            _("Toutes les délibérations de la session ne sont pas verrouillées.")
        )
    presents = {m.pk for d in deliberations for m in d.presents.all()}
    membres = [
        MembrePV(
            nom=m.user.get_full_name() or m.user.email,
            role=str(m.get_role_display()),
            president=m.role == MembreJury.Role.PRESIDENT,
            present=m.pk in presents,
            qualite=m.qualite,
        )
        for m in MembreJury.objects.filter(session=session)
        .select_related("user")
        .order_by("-role", "user__last_name", "user__first_name")
        # "president" sorts after "membre": reversed, the president comes first.
    ]
    conflits = [
        ConflitPV(
            membre=c.membre.user.get_full_name() or c.membre.user.email,
            candidat=nom_document(c.inscription.candidat),
            nature=str(c.get_nature_display()),
        )
        for c in ConflitInterets.objects.filter(membre__session=session)
        .select_related("membre__user", "inscription__candidat")
        .order_by("inscription__candidat__nom_naissance", "membre__user__last_name")
    ]
    dispenses = handicap_selectors.criteres_dispenses_for(
        inscription_ids=[d.inscription_id for d in deliberations]
    )
    all_ids = {i for ids in dispenses.values() for i in ids}
    codes = dict(Critere.objects.filter(pk__in=all_ids).values_list("pk", "code"))
    candidats = [
        CandidatPV(
            nom=nom_document(d.inscription.candidat),
            decision=d.decision,
            decision_libelle=str(d.get_decision_display()),
            blocs_valides=tuple(
                sorted(b.code for b in d.blocs_valides.all())  # codes only
            ),
            dispenses=tuple(
                sorted(codes[i] for i in dispenses.get(d.inscription_id, set()))
            ),
            date_decision=_local_date(d.decidee_le),
            motif=d.motif,
        )
        for d in deliberations
    ]
    return PVSnapshot(
        session=session.nom,
        certification=certification_info(session.referentiel),
        date_jury=session.date_jury.isoformat(),
        date_deliberation=max(c.date_decision for c in candidats),
        membres=tuple(membres),
        conflits=tuple(conflits),
        candidats=tuple(candidats),
        regles=_regles_pv(deliberations, session=session),
        certificateur=certificateur_info(
            session.referentiel.certification.certificateur
        ),
        lieu=session.lieu_jury,
    )


def _nom_membre(membre: MembreJury) -> str:
    return membre.user.get_full_name() or membre.user.email


def _nom_candidat(inscription: Inscription) -> str:
    return nom_document(inscription.candidat)


def _libelle_decision(decision: str, blocs: str) -> str:
    libelle = str(Deliberation.Decision(decision).label)
    return f"{libelle} ({blocs})" if blocs else libelle


def _regles_pv(deliberations: list[Deliberation], *, session: Session) -> ReglesPV:
    """The jury's rules the PV prints: each exemption granted with the avis it
    answers, both conditions, the reasoning and the members present; each decision
    departing from the proposal, with the proposal and the motive; each evaluator
    whose validation the jury did without, with the reason. A fixed number of
    queries (``deliberations`` come with their candidate and blocs)."""
    inscription_ids = [d.inscription_id for d in deliberations]
    ecarts = tuple(
        EcartPV(
            candidat=_nom_candidat(d.inscription),
            proposition=_libelle_decision(d.decision_proposee, d.blocs_proposes),
            decision=_libelle_decision(
                d.decision,
                ", ".join(sorted(b.code for b in d.blocs_valides.all())),
            ),
            motif=d.motif_ecart,
        )
        for d in deliberations
        if d.differe_de_la_proposition
    )
    derogations = tuple(
        DerogationPV(
            candidat=_nom_candidat(g.affectation.inscription),
            evaluateur=_nom_membre(g.affectation.membre),
            motif=g.motif,
        )
        for g in DerogationValidation.objects.filter(
            affectation__inscription_id__in=inscription_ids
        )
        .select_related(
            "affectation__membre__user", "affectation__inscription__candidat"
        )
        .order_by(
            "affectation__inscription__candidat__nom_naissance",
            "affectation__inscription__candidat__prenom1",
            "affectation__membre__user__last_name",
        )
    )
    dispenses = (
        Dispense.objects.filter(inscription_id__in=inscription_ids, accordee=True)
        .select_related("critere", "proposition__avis", "inscription__candidat")
        .prefetch_related(
            Prefetch("presents", queryset=MembreJury.objects.select_related("user"))
        )
        .order_by(
            "inscription__candidat__nom_naissance",
            "inscription__candidat__prenom1",
            "critere_id",
        )
    )
    return ReglesPV(
        dispenses=tuple(
            DispensePV(
                candidat=_nom_candidat(d.inscription),
                critere=d.critere.code,
                intitule=d.critere.intitule,
                avis=_("Avis motivé n° %(n)d du %(date)s")
                % {
                    "n": d.proposition.avis.pk,
                    "date": date_format(
                        timezone.localtime(d.proposition.avis.redige_le), "d/m/Y"
                    ),
                },
                condition_capacite_globale=d.condition_capacite_globale,
                condition_pratique_future=d.condition_pratique_future,
                ensemble=d.ensemble or d.critere.code,
                raisonnement=d.raisonnement,
                presents=tuple(sorted(_nom_membre(m) for m in d.presents.all())),
                decidee_le=_local_date(d.decide_le),
            )
            for d in dispenses
        ),
        ecarts=ecarts,
        derogations=derogations,
        absents=tuple(
            AbsentPV(candidat=_nom_candidat(d.inscription), motif=d.motif)
            for d in deliberations
            if d.decision == Deliberation.Decision.ABSENT
        ),
        desistements=tuple(
            DesistementPV(
                candidat=_nom_candidat(i),
                le=i.desiste_le.isoformat(),
                motif=i.desistement_motif,
            )
            for i in Inscription.objects.filter(
                session=session, desiste_le__isnull=False
            )
            .select_related("candidat")
            .order_by("candidat__nom_naissance", "candidat__prenom1")
            if i.desiste_le is not None
        ),
        reports=tuple(
            ReportPV(
                candidat=_nom_candidat(i),
                session=i.reportee_vers.session.nom,
                motif=i.report_motif,
            )
            for i in Inscription.objects.filter(
                session=session, reportee_vers__isnull=False
            )
            .select_related("candidat", "reportee_vers__session")
            .order_by("candidat__nom_naissance", "candidat__prenom1")
            if i.reportee_vers is not None
        ),
    )
