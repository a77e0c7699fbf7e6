"""Reads of the declarations area: the CDC identifiers, the certified holders
with their declaration state, what is due or overdue, the batches.

One home for each rule: ``etat`` of a holder (from their latest declaration),
``echeance_of`` (award + 3 months), ``manquants_of`` (what the file needs and the
identity lacks)."""

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certif.models import User
from certif.roles import is_admin
from evaluations.declarations.documents import Passage, Titulaire
from evaluations.declarations.models import DeclarationCDC, LotCDC
from evaluations.deliberation.models import Deliberation
from evaluations.sessions.models import Candidat, Inscription, VoieAcces
from evaluations.sessions.pays import pays_libelle
from referentiel.models import (
    CODE_RNCP_PROVISOIRE,
    Certificateur,
    Certification,
    NatureDeposant,
)

DELAI_MOIS = 3
JOURS_AVANT_ECHEANCE = 15
LONGUEUR_MAX = 60  # nomNaissance, prenom1-3, nomUsage, libellés: 60 characters
ID_CLIENT_LONGUEUR = 8
ID_CONTRAT_MAX = 20
INSEE_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")

# The enrolment's access route → ``modaliteAcces``: the seven values, one to one.
MODALITE_ACCES = {
    VoieAcces.FORMATION_INITIALE: "FORMATION_INITIALE_HORS_APPRENTISSAGE",
    VoieAcces.APPRENTISSAGE: "FORMATION_INITIALE_APPRENTISSAGE",
    VoieAcces.FORMATION_CONTINUE: (
        "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION"
    ),
    VoieAcces.CONTRAT_PRO: "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
    VoieAcces.VAE: "VAE",
    VoieAcces.EQUIVALENCE: "EQUIVALENCE_DIPLOME_ETRANGER",
    VoieAcces.CANDIDAT_LIBRE: "CANDIDAT_LIBRE",
}


@dataclass(frozen=True)
class IdentifiantsCDC:
    """The identifiers a file carries, from the certifier of the certification
    (``Certificateur``, edited in the admin): the émetteur's and the
    certificateur's ``idClient`` (8 characters), the ``idContrat`` (1 to 20) and
    the nature of the depositor. ``certificateur`` is None when the certification
    names no certifier."""

    certification: str
    certificateur: str | None
    id_client_emetteur: str = ""
    id_client_certificateur: str = ""
    id_contrat: str = ""
    nature_deposant: str = NatureDeposant.CERTIFICATEUR
    # The demo's certifier: its files are specimens, whatever their code.
    specimen: bool = False

    @property
    def manquants(self) -> list[str]:
        """What the file needs and the certifier's record lacks, in French."""
        if self.certificateur is None:
            return [_("le certificateur de la certification")]
        manquants = []
        if self.certification == CODE_RNCP_PROVISOIRE and not self.specimen:
            manquants.append(
                _("le code RNCP de la certification (%(code)s est provisoire)")
                % {"code": self.certification}
            )
        for value, nom in (
            (self.id_client_emetteur, _("idClient de l'émetteur")),
            (self.id_client_certificateur, _("idClient du certificateur")),
        ):
            if len(value) != ID_CLIENT_LONGUEUR:
                manquants.append(
                    _("%(nom)s (%(n)d caractères exactement)")
                    % {"nom": nom, "n": ID_CLIENT_LONGUEUR}
                )
        if not 1 <= len(self.id_contrat) <= ID_CONTRAT_MAX:
            manquants.append(
                _("idContrat (1 à %(n)d caractères)") % {"n": ID_CONTRAT_MAX}
            )
        return manquants

    @property
    def refus(self) -> str:
        """Why no batch can be built (empty when the identifiers are complete),
        naming the certification, the certifier and each missing identifier."""
        manquants = self.manquants
        if not manquants:
            return ""
        if self.certificateur is None:
            return _(
                "La certification %(code)s n'a pas de certificateur : désignez-le "
                "dans l'administration (Certifications), puis renseignez ses "
                "identifiants de la Caisse des Dépôts avant de construire un lot."
            ) % {"code": self.certification}
        return _(
            "La déclaration à la Caisse des Dépôts de %(code)s (certificateur "
            "« %(certificateur)s ») n'a pas : %(manquants)s. Renseignez-les dans "
            "l'administration (Certificateurs, Certifications) avant de construire "
            "un lot."
        ) % {
            "code": self.certification,
            "certificateur": self.certificateur,
            "manquants": ", ".join(manquants),
        }


def identifiants_cdc(certification: Certification) -> IdentifiantsCDC:
    """The identifiers for ``certification``'s declarations, read from its
    certifier's record. Everything reads them through this function."""
    certificateur = (
        Certificateur.objects.filter(certifications=certification.pk)
        .values(
            "raison_sociale",
            "cdc_id_client_emetteur",
            "cdc_id_client_certificateur",
            "cdc_id_contrat",
            "cdc_nature_deposant",
            "specimen",
        )
        .first()
    )
    if certificateur is None:
        return IdentifiantsCDC(certification=certification.code, certificateur=None)
    return IdentifiantsCDC(
        certification=certification.code,
        certificateur=certificateur["raison_sociale"],
        id_client_emetteur=certificateur["cdc_id_client_emetteur"],
        id_client_certificateur=certificateur["cdc_id_client_certificateur"],
        id_contrat=certificateur["cdc_id_contrat"],
        nature_deposant=certificateur["cdc_nature_deposant"],
        specimen=certificateur["specimen"],
    )


def echeance_of(attribution: date) -> date:
    """The last day to declare an award: three months after it (the last day of
    the month when the day does not exist, 30 November → 28 or 29 February)."""
    month = attribution.month - 1 + DELAI_MOIS
    year, month = attribution.year + month // 12, month % 12 + 1
    return date(year, month, min(attribution.day, calendar.monthrange(year, month)[1]))


def id_technique_of(inscription_id: int, code_certification: str) -> str:
    """Stable for an award: the same enrolment always gets the same identifier,
    so a corrected declaration replaces the earlier one at the CDC."""
    return f"{code_certification}-{inscription_id}"


@dataclass(frozen=True)
class Attribution:
    """What the file needs of an award besides the holder's identity."""

    inscription_id: int
    code_certification: str
    decidee_le: datetime
    voie_acces: str
    date_ouverture: date
    date_jury: date


def passage_of(attribution: Attribution, candidat: Candidat, tz: tzinfo) -> Passage:
    """The values the file carries for this award, the decision's date read in
    ``tz`` (the platform's time zone: Paris)."""
    if candidat.pays_naissance:
        code_insee = candidat.pays_naissance
        code_pays = candidat.pays_naissance[2:]
        libelle_pays = pays_libelle(candidat.pays_naissance)
    else:
        code_insee, code_pays, libelle_pays = candidat.code_insee_naissance, "", ""
    naissance = candidat.date_naissance
    return Passage(
        id_technique=id_technique_of(
            attribution.inscription_id, attribution.code_certification
        ),
        date_debut_validite=attribution.decidee_le.astimezone(tz).date(),
        modalite_acces=MODALITE_ACCES.get(VoieAcces(attribution.voie_acces), ""),
        date_debut_examen=attribution.date_ouverture,
        date_fin_examen=attribution.date_jury,
        titulaire=Titulaire(
            nom_naissance=candidat.nom_naissance,
            nom_usage=candidat.nom_usage,
            prenom1=candidat.prenom1,
            prenom2=candidat.prenom2,
            prenom3=candidat.prenom3,
            annee_naissance=naissance.year,
            mois_naissance=naissance.month,
            jour_naissance=naissance.day,
            sexe=candidat.sexe,
            code_insee=code_insee,
            libelle_commune=candidat.commune_naissance,
            code_pays=code_pays,
            libelle_pays=libelle_pays,
        ),
    )


def manquants_of(candidat: Candidat) -> list[str]:
    """What the CDC's file needs and this identity lacks, in French, one item per
    field (« code INSEE de la commune de naissance manquant »)."""
    manquants: list[str] = []
    # The labels are translated only for a field at fault: this runs for every
    # holder of a batch.
    for valeur, nom, requis in (
        (candidat.nom_naissance, gettext_noop("nom de naissance"), True),
        (candidat.nom_usage, gettext_noop("nom d'usage"), False),
        (candidat.prenom1, gettext_noop("premier prénom"), True),
        (candidat.prenom2, gettext_noop("deuxième prénom"), False),
        (candidat.prenom3, gettext_noop("troisième prénom"), False),
        (candidat.commune_naissance, gettext_noop("commune de naissance"), False),
    ):
        if requis and not valeur.strip():
            manquants.append(_("%(champ)s manquant") % {"champ": _(nom)})
        elif len(valeur) > LONGUEUR_MAX:
            manquants.append(
                _("%(champ)s de plus de %(n)d caractères")
                % {"champ": _(nom), "n": LONGUEUR_MAX}
            )
    if not 1900 <= candidat.date_naissance.year <= 2099:
        manquants.append(_("année de naissance hors de 1900 à 2099"))
    if candidat.sexe not in (Candidat.Sexe.M, Candidat.Sexe.F):
        manquants.append(_("sexe à l'état civil manquant"))
    if candidat.pays_naissance:
        if not pays_libelle(candidat.pays_naissance):
            manquants.append(
                _("pays de naissance « %(pays)s » hors de la liste INSEE")
                % {"pays": candidat.pays_naissance}
            )
    elif not candidat.code_insee_naissance:
        manquants.append(_("code INSEE de la commune de naissance manquant"))
    elif not INSEE_COMMUNE.match(candidat.code_insee_naissance):
        manquants.append(
            _("code INSEE de la commune de naissance « %(code)s » invalide")
            % {"code": candidat.code_insee_naissance}
        )
    return manquants


class Etat:
    """A holder's declaration state (``TitulaireCDC.etat``)."""

    A_DECLARER = "a_declarer"
    INCLUS = "inclus"
    DEPOSE = "depose"
    ACCEPTE = "accepte"
    REJETE = "rejete"
    A_REDECLARER = "a_redeclarer"

    # Not declared yet, for the three-month deadline.
    NON_DECLARES = (A_DECLARER, INCLUS, REJETE)
    # May go into a new batch.
    DECLARABLES = (A_DECLARER, REJETE, A_REDECLARER)


@dataclass(frozen=True)
class TitulaireCDC:
    """One certified holder and where their declaration stands."""

    inscription_id: int
    candidat_id: int
    nom: str
    certification: str
    session: str
    attribution: date
    echeance: date
    etat: str
    passage: Passage
    manquants: list[str]
    derniere: DeclarationCDC | None = None
    historique: list[DeclarationCDC] = field(default_factory=list)

    @property
    def declarable(self) -> bool:
        return self.etat in Etat.DECLARABLES

    @property
    def non_declare(self) -> bool:
        return self.etat in Etat.NON_DECLARES

    @property
    def etat_libelle(self) -> str:
        derniere = self.derniere
        if self.etat == Etat.A_DECLARER:
            return _("À déclarer")
        if self.etat == Etat.A_REDECLARER:
            return _("Corrigé après acceptation : à déclarer de nouveau")
        assert derniere is not None  # noqa: S101 - every other state has a declaration
        if self.etat == Etat.INCLUS:
            return _("Inclus dans le lot n° %(n)s") % {"n": derniere.lot_id}
        if self.etat == Etat.DEPOSE:
            return _("Déposé le %(date)s (lot n° %(n)s)") % {
                "date": _date(derniere.lot.depose_le),
                "n": derniere.lot_id,
            }
        if self.etat == Etat.ACCEPTE:
            return _("Accepté (lot n° %(n)s)") % {"n": derniere.lot_id}
        return _("Rejeté (lot n° %(n)s) : %(motif)s — à déclarer de nouveau") % {
            "n": derniere.lot_id,
            "motif": derniere.motif_rejet,
        }


def _date(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


def etat_of(derniere: DeclarationCDC | None, passage: Passage) -> str:
    """The state a holder is in, from their latest declaration (None: never
    declared) and the values they would be declared with today."""
    if derniere is None:
        return Etat.A_DECLARER
    statut = derniere.statut
    if statut == DeclarationCDC.Statut.INCLUS:
        return Etat.INCLUS
    if statut == DeclarationCDC.Statut.DEPOSE:
        return Etat.DEPOSE
    if statut == DeclarationCDC.Statut.REJETE:
        return Etat.REJETE
    if derniere.empreinte != passage.empreinte:
        return Etat.A_REDECLARER
    return Etat.ACCEPTE


# The identity fields read for each holder (as values: a batch of 10,000 holders
# would otherwise build 60,000 model instances).
CANDIDAT_CHAMPS = (
    "nom_naissance",
    "nom_usage",
    "prenom1",
    "prenom2",
    "prenom3",
    "date_naissance",
    "sexe",
    "commune_naissance",
    "code_insee_naissance",
    "pays_naissance",
)


def _certifies(
    prefix: str, certification: Certification | None, inscription_ids: list[int] | None
) -> Q:
    """Awards of the certification: deliberation locked, decision « certifié »
    (never « Absent », « Validation partielle » nor « Non validé »), on an
    enrolment neither withdrawn nor deferred to a later session (those are
    evaluated no more, whatever a decision left on them says); ``prefix`` leads
    from the queried model to the enrolment."""
    condition = Q(
        **{
            f"{prefix}deliberation__verrouillee": True,
            f"{prefix}deliberation__decision": Deliberation.Decision.CERTIFIE,
            f"{prefix}desiste_le__isnull": True,
            f"{prefix}reportee_vers__isnull": True,
        }
    )
    if certification is not None:
        condition &= Q(
            **{f"{prefix}session__referentiel__certification": certification}
        )
    if inscription_ids is not None:
        condition &= Q(**{f"{prefix}pk__in": inscription_ids})
    return condition


def _attribues_avant(echeance_max: date, tz: tzinfo) -> datetime:
    """A moment after every award whose deadline is ``echeance_max`` or earlier
    (a few days' margin over three months back: ``echeance_of`` decides)."""
    month = echeance_max.month - 1 - DELAI_MOIS
    year, month = echeance_max.year + month // 12, month % 12 + 1
    day = min(echeance_max.day, calendar.monthrange(year, month)[1])
    borne = date(year, month, day) + timedelta(days=4)
    return datetime(borne.year, borne.month, borne.day, tzinfo=tz)


def titulaires_for(
    *,
    certification: Certification | None = None,
    inscription_ids: list[int] | None = None,
    non_declares_echeance_max: date | None = None,
) -> list[TitulaireCDC]:
    """Every certified holder (deliberation locked, decision « certifié »), oldest
    award first, with their declaration state: two queries whatever their
    number. Awards of blocs only are not declared in this flow (the schema in use
    has no place for them).

    ``non_declares_echeance_max`` narrows the reading, in the database, to the
    holders whose deadline may be that day or earlier and whose latest
    declaration (if any) is not deposited nor accepted: what the deadlines need,
    without reading every holder of past years (the exact rules still decide
    afterwards)."""
    tz = timezone.get_current_timezone()
    inscriptions = Inscription.objects.filter(
        _certifies("", certification, inscription_ids)
    )
    declarations = DeclarationCDC.objects.filter(
        _certifies("inscription__", certification, inscription_ids)
    )
    if non_declares_echeance_max is not None:
        avant = _attribues_avant(non_declares_echeance_max, tz)
        derniere_statut = (
            DeclarationCDC.objects.filter(inscription=OuterRef("pk"))
            .order_by("-pk")
            .values("statut")[:1]
        )
        inscriptions = (
            inscriptions.filter(deliberation__decidee_le__lt=avant)
            .annotate(derniere_statut=Subquery(derniere_statut))
            .filter(
                Q(derniere_statut__isnull=True)
                | Q(
                    derniere_statut__in=(
                        DeclarationCDC.Statut.INCLUS,
                        DeclarationCDC.Statut.REJETE,
                    )
                )
            )
        )
        declarations = declarations.filter(
            inscription__deliberation__decidee_le__lt=avant,
            inscription__in=inscriptions.values("pk"),
        )
    rows = inscriptions.order_by(
        "deliberation__decidee_le", "candidat__nom_naissance", "pk"
    ).values_list(
        "pk",
        "voie_acces",
        "candidat_id",
        *(f"candidat__{name}" for name in CANDIDAT_CHAMPS),
        "session__nom",
        "session__date_ouverture",
        "session__date_jury",
        "session__referentiel__certification__code",
        "deliberation__decidee_le",
    )
    historiques: dict[int, list[DeclarationCDC]] = defaultdict(list)
    for declaration in declarations.select_related("lot").order_by("-pk"):
        historiques[declaration.inscription_id].append(declaration)
    titulaires = []
    for row in rows:
        inscription_id, voie_acces, candidat_id = row[:3]
        identite = dict(zip(CANDIDAT_CHAMPS, row[3:13], strict=True))
        session_nom, ouverture, jury, code, decidee_le = row[13:]
        candidat = Candidat(pk=candidat_id, **identite)
        passage = passage_of(
            Attribution(inscription_id, code, decidee_le, voie_acces, ouverture, jury),
            candidat,
            tz,
        )
        historique = historiques.get(inscription_id, [])
        derniere = historique[0] if historique else None
        attribution = passage.date_debut_validite
        titulaires.append(
            TitulaireCDC(
                inscription_id=inscription_id,
                candidat_id=candidat_id,
                nom=f"{candidat.prenom1} {candidat.nom_naissance}",
                certification=code,
                session=session_nom,
                attribution=attribution,
                echeance=echeance_of(attribution),
                etat=etat_of(derniere, passage),
                passage=passage,
                manquants=manquants_of(candidat),
                derniere=derniere,
                historique=historique,
            )
        )
    return titulaires


@dataclass(frozen=True)
class Echeances:
    """Holders not declared yet whose deadline is within ``JOURS_AVANT_ECHEANCE``
    days (``dues``) or past (``en_retard``), soonest first."""

    dues: list[TitulaireCDC]
    en_retard: list[TitulaireCDC]


def echeances_for(
    *, today: date | None = None, titulaires: list[TitulaireCDC] | None = None
) -> Echeances:
    """From the holders (or the ``titulaires`` already read): the deadline is
    the award + 3 months, the day of the deadline included. Read alone, only the
    holders that may be due or overdue are read (the administrator's home, the
    daily reminder)."""
    today = today or timezone.localdate()
    limite = today + timedelta(days=JOURS_AVANT_ECHEANCE)
    if titulaires is None:
        titulaires = titulaires_for(non_declares_echeance_max=limite)
    non_declares = sorted(
        (t for t in titulaires if t.non_declare), key=lambda t: t.echeance
    )
    return Echeances(
        dues=[t for t in non_declares if today <= t.echeance <= limite],
        en_retard=[t for t in non_declares if t.echeance < today],
    )


def certifications_declarees() -> QuerySet[Certification]:
    """The certifications that have at least one certified holder."""
    return Certification.objects.filter(
        _certifies("referentiels__sessions__inscriptions__", None, None)
    ).distinct()


def lots_for(*, certification: Certification | None = None) -> QuerySet[LotCDC]:
    lots = LotCDC.objects.select_related(
        "certification__certificateur", "cree_par", "depose_par"
    )
    if certification is not None:
        lots = lots.filter(certification=certification)
    return lots.order_by("-pk")


def get_lot_for(user: User, pk: int) -> LotCDC:
    """A batch: administrators only (403); an unknown batch is a 404."""
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(lots_for(), pk=pk)


def declarations_of(lot: LotCDC) -> QuerySet[DeclarationCDC]:
    return (
        lot.declarations.select_related("inscription__candidat", "repondu_par")
        .order_by("inscription__candidat__nom_naissance", "pk")
        .all()
    )


def get_declaration_for(user: User, pk: int) -> DeclarationCDC:
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(
        DeclarationCDC.objects.select_related("lot", "inscription__candidat"), pk=pk
    )
