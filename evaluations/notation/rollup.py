"""The roll-up: criterion → competency → bloc → certification (the rule's one
home, see docs/architecture.md).

A pure function over plain data, with no database access, so that the rules can be
tested case by case and by properties, and so that the grid, the consolidation and
the deliberation show the same reasoning.

Rules:

- a criterion is *acquis*, *non acquis*, *dispensé* (exempted: taken from the
  exemption decisions, never scored) or *non évalué* (no result yet);
- a competency is acquired when all its non-exempted criteria are acquis; it is not
  acquired as soon as one of them is non acquis; otherwise it is incomplete. A
  competency whose criteria are **all** exempted is acquired (the rule "all its
  non-exempted criteria are acquis" holds vacuously); its reason says so, so that the
  jury sees it before voting;
- a bloc evaluated in this session is validated when all its competencies are
  acquired, not validated when one is not acquired, otherwise incomplete; a bloc
  capitalised from an earlier session counts as acquired whatever this session's
  scores; a bloc neither evaluated now nor capitalised is *non présenté*;
- the certification is obtained when every bloc is validated now or capitalised; it
  is incomplete while a bloc of the path is incomplete; otherwise not obtained."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class CritereStatut(StrEnum):
    ACQUIS = "acquis"
    NON_ACQUIS = "non_acquis"
    DISPENSE = "dispense"
    NON_EVALUE = "non_evalue"


class CompetenceStatut(StrEnum):
    ACQUISE = "acquise"
    NON_ACQUISE = "non_acquise"
    INCOMPLETE = "incomplete"


class BlocStatut(StrEnum):
    VALIDE = "valide"
    NON_VALIDE = "non_valide"
    INCOMPLET = "incomplet"
    CAPITALISE = "capitalise"
    NON_PRESENTE = "non_presente"


class CertificationStatut(StrEnum):
    OBTENUE = "obtenue"
    NON_OBTENUE = "non_obtenue"
    INCOMPLETE = "incomplete"


class Decision(StrEnum):
    """Mirrors ``Deliberation.Decision`` without importing models."""

    CERTIFIE = "certifie"
    VALIDATION_PARTIELLE = "validation_partielle"
    NON_VALIDE = "non_valide"


@dataclass(frozen=True)
class CompetenceSpec:
    code: str
    criteres: tuple[int, ...]  # criterion ids, in the référentiel's order


@dataclass(frozen=True)
class BlocSpec:
    code: str
    competences: tuple[CompetenceSpec, ...]


@dataclass(frozen=True)
class RollupInput:
    blocs: tuple[BlocSpec, ...]  # every bloc of the référentiel version
    resultats: Mapping[int, str | None]  # critere id -> "acquis" / "non_acquis" / None
    parcours: frozenset[str]  # codes of the blocs evaluated in this session
    dispenses: frozenset[int] = frozenset()  # exempted criterion ids
    capitalises: Mapping[str, str] | None = None  # bloc code -> session label


@dataclass(frozen=True)
class CritereResult:
    id: int
    numero: int  # 1-based position in its competency
    statut: CritereStatut


@dataclass(frozen=True)
class CompetenceResult:
    code: str
    statut: CompetenceStatut
    criteres: tuple[CritereResult, ...]
    raison: str


@dataclass(frozen=True)
class BlocResult:
    code: str
    statut: BlocStatut
    competences: tuple[CompetenceResult, ...]
    raison: str

    @property
    def acquis(self) -> bool:
        return self.statut in {BlocStatut.VALIDE, BlocStatut.CAPITALISE}


@dataclass(frozen=True)
class Rollup:
    statut: CertificationStatut
    blocs: tuple[BlocResult, ...]
    raison: str

    @property
    def blocs_valides(self) -> tuple[str, ...]:
        """Codes of the blocs validated in this session (not the capitalised ones)."""
        return tuple(b.code for b in self.blocs if b.statut == BlocStatut.VALIDE)

    @property
    def decision_proposee(self) -> Decision | None:
        """The decision the roll-up proposes; None while results are incomplete."""
        if self.statut == CertificationStatut.INCOMPLETE:
            return None
        if self.statut == CertificationStatut.OBTENUE:
            return Decision.CERTIFIE
        if self.blocs_valides:
            return Decision.VALIDATION_PARTIELLE
        return Decision.NON_VALIDE

    @property
    def raisons(self) -> list[str]:
        """Every reason, from the certification down to the competencies of the
        path, as the jury reads them."""
        lines = [self.raison]
        for bloc in self.blocs:
            lines.append(bloc.raison)
            lines.extend(c.raison for c in bloc.competences)
        return lines

    def competence(self, code: str) -> CompetenceResult | None:
        for bloc in self.blocs:
            for competence in bloc.competences:
                if competence.code == code:
                    return competence
        return None


def rollup(data: RollupInput) -> Rollup:
    capitalises = data.capitalises or {}
    blocs = tuple(_bloc(spec, data, capitalises) for spec in data.blocs)
    return _with_reason(blocs)


def _with_reason(blocs: tuple[BlocResult, ...]) -> Rollup:
    statut = _certification_statut(blocs)
    if statut == CertificationStatut.OBTENUE:
        raison = _(
            "Certification obtenue : tous les blocs sont validés ou capitalisés."
        )
    elif statut == CertificationStatut.INCOMPLETE:
        raison = _("Certification en attente : blocs incomplets %(codes)s.") % {
            "codes": _codes(b.code for b in blocs if b.statut == BlocStatut.INCOMPLET)
        }
    else:
        raison = _("Certification non obtenue : blocs non acquis %(codes)s.") % {
            "codes": _codes(b.code for b in blocs if not b.acquis)
        }
    return Rollup(statut=statut, blocs=blocs, raison=raison)


def _certification_statut(blocs: tuple[BlocResult, ...]) -> CertificationStatut:
    if all(b.acquis for b in blocs):
        return CertificationStatut.OBTENUE
    if any(b.statut == BlocStatut.INCOMPLET for b in blocs):
        return CertificationStatut.INCOMPLETE
    return CertificationStatut.NON_OBTENUE


def _bloc(
    spec: BlocSpec, data: RollupInput, capitalises: Mapping[str, str]
) -> BlocResult:
    if spec.code in capitalises:
        return BlocResult(
            code=spec.code,
            statut=BlocStatut.CAPITALISE,
            competences=(),
            raison=_("Bloc %(code)s capitalisé (%(session)s).")
            % {"code": spec.code, "session": capitalises[spec.code]},
        )
    if spec.code not in data.parcours:
        return BlocResult(
            code=spec.code,
            statut=BlocStatut.NON_PRESENTE,
            competences=(),
            raison=_("Bloc %(code)s non présenté dans cette session.")
            % {"code": spec.code},
        )
    competences = tuple(_competence(c, data) for c in spec.competences)
    statuts = {c.statut for c in competences}
    if CompetenceStatut.NON_ACQUISE in statuts:
        statut = BlocStatut.NON_VALIDE
        codes = [
            c.code for c in competences if c.statut == CompetenceStatut.NON_ACQUISE
        ]
        raison = ngettext(
            "Bloc %(code)s non validé : %(codes)s non acquise.",
            "Bloc %(code)s non validé : %(codes)s non acquises.",
            len(codes),
        ) % {"code": spec.code, "codes": _codes(codes)}
    elif CompetenceStatut.INCOMPLETE in statuts:
        statut = BlocStatut.INCOMPLET
        raison = _("Bloc %(code)s incomplet : %(codes)s à terminer.") % {
            "code": spec.code,
            "codes": _codes(
                c.code for c in competences if c.statut == CompetenceStatut.INCOMPLETE
            ),
        }
    else:
        statut = BlocStatut.VALIDE
        raison = _("Bloc %(code)s validé : toutes ses compétences sont acquises.") % {
            "code": spec.code
        }
    return BlocResult(
        code=spec.code, statut=statut, competences=competences, raison=raison
    )


def _competence(spec: CompetenceSpec, data: RollupInput) -> CompetenceResult:
    criteres = tuple(
        CritereResult(id=pk, numero=numero, statut=_critere_statut(pk, data))
        for numero, pk in enumerate(spec.criteres, start=1)
    )
    non_acquis = [c.numero for c in criteres if c.statut == CritereStatut.NON_ACQUIS]
    manquants = [c.numero for c in criteres if c.statut == CritereStatut.NON_EVALUE]
    dispenses = [c.numero for c in criteres if c.statut == CritereStatut.DISPENSE]
    if non_acquis:
        statut = CompetenceStatut.NON_ACQUISE
        raison = _("%(code)s non acquise : %(criteres)s non acquis.") % {
            "code": spec.code,
            "criteres": _numeros(non_acquis),
        }
    elif manquants:
        statut = CompetenceStatut.INCOMPLETE
        raison = ngettext(
            "%(code)s incomplète : %(criteres)s non évalué.",
            "%(code)s incomplète : %(criteres)s non évalués.",
            len(manquants),
        ) % {"code": spec.code, "criteres": _numeros(manquants)}
    elif criteres and len(dispenses) == len(criteres):
        statut = CompetenceStatut.ACQUISE
        raison = _("%(code)s acquise : tous ses critères sont dispensés.") % {
            "code": spec.code
        }
    else:
        statut = CompetenceStatut.ACQUISE
        raison = _("%(code)s acquise : tous ses critères sont acquis.") % {
            "code": spec.code
        }
        if dispenses:
            raison = ngettext(
                "%(code)s acquise : tous ses critères non dispensés sont acquis "
                "(%(criteres)s dispensé).",
                "%(code)s acquise : tous ses critères non dispensés sont acquis "
                "(%(criteres)s dispensés).",
                len(dispenses),
            ) % {"code": spec.code, "criteres": _numeros(dispenses)}
    return CompetenceResult(
        code=spec.code, statut=statut, criteres=criteres, raison=raison
    )


def _critere_statut(pk: int, data: RollupInput) -> CritereStatut:
    if pk in data.dispenses:
        return CritereStatut.DISPENSE
    value = data.resultats.get(pk)
    if value == CritereStatut.ACQUIS:
        return CritereStatut.ACQUIS
    if value == CritereStatut.NON_ACQUIS:
        return CritereStatut.NON_ACQUIS
    return CritereStatut.NON_EVALUE


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(codes)


def _numeros(numeros: list[int]) -> str:
    label = _("critère") if len(numeros) == 1 else _("critères")
    return f"{label} {', '.join(str(n) for n in numeros)}"
