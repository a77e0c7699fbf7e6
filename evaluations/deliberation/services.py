"""Deliberation: the vote that locks an enrolment, its explicit re-opening,
the blocs recorded as acquired by the person (capitalisation), and the jury's
decision on an exemption proposed by the référent's avis motivé. Every write
here takes the enrolment's lock first (``evaluations.sessions.verrou``)."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from certif.models import User
from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.jury.models import ConflitInterets, MembreJury
from evaluations.notation.rollup import BlocStatut, Decision
from evaluations.notation.selectors import (
    rollup_consolide_for,
    validations_manquantes,
    validations_manquantes_message,
)
from evaluations.sessions.models import BlocAcquis, Inscription
from evaluations.sessions.selectors import blocs_acquis_for
from evaluations.sessions.services import inscriptions_capitalisation_sync
from evaluations.sessions.verrou import (
    deliberation_assert_open,
    inscription_lock,
)
from handicap.models import (
    Dispense,
    PropositionDispense,
)
from referentiel.models import Bloc, Critere


@transaction.atomic
def deliberation_record(
    *,
    inscription: Inscription,
    motif: str,
    presents: Iterable[MembreJury],
    by: User,
    blocs_decides: Iterable[str] | None = None,
    motif_ecart: str = "",
) -> Deliberation:
    """Vote on the enrolment, with a motive and the members present (quorum,
    president included), on or after the session's jury date, once every assigned
    evaluator validated their grid (or the president recorded why the jury does
    without it); lock the enrolment and reconcile the blocs acquired by the person.

    The roll-up of the consolidated results proposes; it is computed here, after
    the enrolment's lock, so that a consolidation saved while the president was
    reading the page is voted on as it is now. The jury is sovereign:
    ``blocs_decides`` (codes of the evaluated blocs it validates; None follows the
    proposal) may depart from the proposal, only with ``motif_ecart``; the decision
    follows from the blocs (certified when every bloc is validated now or
    capitalised). The proposal is stored beside the decision."""
    inscription = inscription_lock(inscription_id=inscription.pk)
    existing = Deliberation.objects.filter(inscription=inscription).first()
    rollup = rollup_consolide_for(inscription=inscription)
    proposee = rollup.decision_proposee
    errors: list[str] = []
    if proposee is None:
        raise ValidationError(
            _(
                "Les résultats consolidés sont incomplets : terminez la consolidation "
                "avant de délibérer."
            )
        )
    if not motif.strip():
        errors.append(_("Indiquez le motif de la décision."))
    session = inscription.session
    if not session.jury_reuni():
        errors.append(
            _(
                "Le jury se réunit le %(date)s : il ne peut pas voter avant. Si le "
                "jury s'est réellement réuni plus tôt, l'administrateur modifie "
                "d'abord la date du jury de la session."
            )
            % {"date": date_format(session.date_jury, "j F Y")}
        )
    manquants = validations_manquantes(inscription_id=inscription.pk)
    if manquants:
        errors.append(validations_manquantes_message(manquants))
    presents = _seance_check(
        inscription=inscription, presents=presents, by=by, errors=errors
    )
    proposes = set(rollup.blocs_valides)
    evalues = {
        b.code
        for b in rollup.blocs
        if b.statut not in (BlocStatut.CAPITALISE, BlocStatut.NON_PRESENTE)
    }
    decides = proposes if blocs_decides is None else set(blocs_decides)
    if not decides <= evalues:
        errors.append(_("Le jury ne valide que des blocs évalués dans cette session."))
    capitalises = {b.code for b in rollup.blocs if b.statut == BlocStatut.CAPITALISE}
    if decides | capitalises >= {b.code for b in rollup.blocs}:
        decision = Decision.CERTIFIE
    elif decides:
        decision = Decision.VALIDATION_PARTIELLE
    else:
        decision = Decision.NON_VALIDE
    ecart = decides != proposes or decision != proposee
    if ecart and not motif_ecart.strip():
        errors.append(
            _(
                "La décision diffère de la proposition (%(proposition)s) : le jury "
                "ne s'en écarte qu'avec un motif écrit, que le procès-verbal imprime."
            )
            % {"proposition": _libelle(proposee, proposes)}
        )
    if errors:
        raise ValidationError(errors)

    deliberation = existing or Deliberation(inscription=inscription)
    deliberation.decision = Deliberation.Decision(str(decision))
    deliberation.decision_proposee = Deliberation.Decision(str(proposee))
    deliberation.blocs_proposes = ", ".join(sorted(proposes))
    deliberation.motif_ecart = motif_ecart.strip() if ecart else ""
    deliberation.motif = motif.strip()
    deliberation.verrouillee = True
    deliberation.decidee_le = timezone.now()
    deliberation.decidee_par = by
    deliberation._history_user = by
    deliberation.full_clean()
    deliberation.save()
    blocs = list(
        Bloc.objects.filter(
            referentiel_id=inscription.session.referentiel_id,
            code__in=decides,
        )
    )
    deliberation.blocs_valides.set(blocs)
    deliberation.presents.set(presents)
    _blocs_acquis_reconcile(inscription=inscription, blocs=blocs, decision=decision)
    inscriptions_capitalisation_sync(
        candidat_id=inscription.candidat_id,
        referentiel_id=inscription.session.referentiel_id,
        sauf_inscription_id=inscription.pk,
        by=by,
    )
    return deliberation


@transaction.atomic
def absence_record(
    *,
    inscription: Inscription,
    motif: str,
    presents: Iterable[MembreJury],
    by: User,
) -> Deliberation:
    """The jury records that the candidate was absent (from a live épreuve or the
    whole session): the decision is « absent », with its motive and the members
    present, on or after the jury date; no criterion has to be scored. The
    enrolment is locked like after a vote (a re-opening corrects it) and no bloc is
    acquired by it."""
    inscription = inscription_lock(inscription_id=inscription.pk)
    existing = Deliberation.objects.filter(inscription=inscription).first()
    errors: list[str] = []
    if not motif.strip():
        errors.append(
            _("Indiquez le motif de l'absence (épreuve, date, justificatif).")
        )
    if not inscription.session.jury_reuni():
        errors.append(
            _(
                "Le jury se réunit le %(date)s : il ne peut pas constater l'absence "
                "avant."
            )
            % {"date": date_format(inscription.session.date_jury, "j F Y")}
        )
    presents = _seance_check(
        inscription=inscription, presents=presents, by=by, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    deliberation = existing or Deliberation(inscription=inscription)
    deliberation.decision = Deliberation.Decision.ABSENT
    deliberation.decision_proposee = ""
    deliberation.blocs_proposes = ""
    deliberation.motif_ecart = ""
    deliberation.motif = motif.strip()
    deliberation.verrouillee = True
    deliberation.decidee_le = timezone.now()
    deliberation.decidee_par = by
    deliberation._history_user = by
    deliberation.full_clean()
    deliberation.save()
    deliberation.blocs_valides.set([])
    deliberation.presents.set(presents)
    BlocAcquis.objects.filter(inscription=inscription).delete()
    inscriptions_capitalisation_sync(
        candidat_id=inscription.candidat_id,
        referentiel_id=inscription.session.referentiel_id,
        sauf_inscription_id=inscription.pk,
        by=by,
    )
    return deliberation


def _libelle(decision: Decision, blocs: set[str]) -> str:
    libelle = str(Deliberation.Decision(str(decision)).label)
    if decision == Decision.VALIDATION_PARTIELLE:
        return f"{libelle} : {', '.join(sorted(blocs))}"
    return libelle


def _seance_check(
    *,
    inscription: Inscription,
    presents: Iterable[MembreJury],
    by: User,
    errors: list[str],
) -> list[MembreJury]:
    """The jury sitting on an enrolment, for a vote or an exemption: the members
    present belong to the session's jury and are not in conflict
    with the candidate, the president (``by``) is present, the quorum is reached.
    Append the French refusals to ``errors``; return the members present."""
    presents = list(presents)
    if any(m.session_id != inscription.session_id for m in presents):
        errors.append(
            _("Seuls les membres du jury de la session peuvent être présents.")
        )
    en_conflit = set(
        ConflitInterets.objects.filter(
            inscription=inscription, membre__in=[m.pk for m in presents]
        ).values_list("membre_id", flat=True)
    )
    if en_conflit:
        errors.append(
            _("Un membre en conflit d'intérêts avec le candidat ne siège pas pour lui.")
        )
    if not any(
        m.role == MembreJury.Role.PRESIDENT and m.user_id == by.pk for m in presents
    ):
        errors.append(_("Le président du jury doit être présent."))
    quorum = settings.QUORUM_DELIBERATION
    if len({m.pk for m in presents}) < quorum:
        errors.append(
            _(
                "Quorum non atteint : il faut au moins %(n)d membres présents, le "
                "président compris."
            )
            % {"n": quorum}
        )
    return presents


def _blocs_acquis_reconcile(
    *, inscription: Inscription, blocs: list[Bloc], decision: Decision
) -> None:
    """The blocs validated by this vote are acquired by the person, once (a bloc
    already acquired for the certification, in any version, keeps its first
    record); the blocs a previous vote of this enrolment recorded and this one does
    not are removed."""
    today = timezone.localdate()
    BlocAcquis.objects.filter(inscription=inscription).exclude(bloc__in=blocs).delete()
    already = blocs_acquis_for(
        candidat_ids=[inscription.candidat_id],
        referentiel_id=inscription.session.referentiel_id,
    ).get(inscription.candidat_id, {})
    for bloc in blocs:
        if bloc.code in already:
            continue
        acquis = BlocAcquis(
            candidat_id=inscription.candidat_id,
            bloc=bloc,
            session_id=inscription.session_id,
            inscription=inscription,
            acquis_le=today,
        )
        acquis.full_clean(validate_constraints=False)
        acquis.save()


@transaction.atomic
def deliberation_reopen(
    *, deliberation: Deliberation, motif: str, by: User
) -> ReouvertureDeliberation:
    """Unlock a voted deliberation for a correction; the reason is kept."""
    inscription_lock(inscription_id=deliberation.inscription_id, ouverte=False)
    deliberation = Deliberation.objects.get(pk=deliberation.pk)
    if not deliberation.verrouillee:
        raise ValidationError(_("Cette délibération est déjà rouverte."))
    if not motif.strip():
        raise ValidationError(_("Indiquez le motif de la réouverture."))
    reouverture = ReouvertureDeliberation(
        deliberation=deliberation, motif=motif.strip(), par=by
    )
    reouverture.full_clean()
    reouverture.save()
    deliberation.verrouillee = False
    deliberation._history_user = by
    deliberation.full_clean()
    deliberation.save(update_fields=["verrouillee"])
    return reouverture


@transaction.atomic
def dispense_decider(
    *,
    inscription: Inscription,
    critere: Critere,
    accorder: bool,
    condition_capacite_globale: bool,
    condition_pratique_future: bool,
    raisonnement: str,
    presents: Iterable[MembreJury],
    by: User,
) -> Dispense:
    """The jury's decision on one exemption proposed by the avis motivé, taken by
    the jury sitting (same date, quorum and president as a vote; the members
    present are recorded) and recorded by the president, before or during the
    candidate's deliberation, never after the lock (else DeliberationVerrouilleeError, checked after the
    enrolment's lock). Granting requires both
    cumulative conditions and the reasoning; condition 1 is affirmed over the
    candidate's whole set of exemptions (their codes are kept with the decision);
    a competency keeps at least one criterion evaluated. Only for a criterion the
    avis names. A later decision replaces the previous one (history keeps both)."""
    inscription = inscription_lock(inscription_id=inscription.pk, ouverte=False)
    if not MembreJury.objects.filter(
        session=inscription.session, user=by, role=MembreJury.Role.PRESIDENT
    ).exists():
        raise PermissionDenied
    proposition = PropositionDispense.objects.filter(
        avis__demande__inscription=inscription, critere=critere
    ).first()
    if proposition is None:
        raise ValidationError(
            _(
                "Le critère %(code)s n'est pas proposé à la dispense par l'avis motivé "
                "du référent handicap : le jury ne peut pas en dispenser le candidat."
            )
            % {"code": critere.code}
        )
    if inscription.session.est_close:
        raise ValidationError(_("La session est close."))
    deliberation_assert_open(inscription=inscription)
    seance: list[str] = []
    presents = _seance_check(
        inscription=inscription, presents=presents, by=by, errors=seance
    )
    errors: dict[str, list[str]] = {}
    if seance:
        errors["presents"] = seance
    autres = set(
        Dispense.objects.filter(inscription=inscription, accordee=True)
        .exclude(critere=critere)
        .values_list("critere__code", flat=True)
    )
    if accorder:
        if not condition_capacite_globale:
            errors["condition_capacite_globale"] = [
                _(
                    "Dispense refusée : le jury doit affirmer que l'ensemble des "
                    "dispenses du candidat, celle-ci comprise, ne remet pas en "
                    "question sa capacité professionnelle globale."
                )
            ]
        if not condition_pratique_future:
            errors["condition_pratique_future"] = [
                _(
                    "Dispense refusée : le jury doit affirmer qu'au regard de la nature "
                    "du handicap, le critère n'a pas vocation à s'appliquer dans la "
                    "pratique professionnelle future du candidat."
                )
            ]
        if not raisonnement.strip():
            errors["raisonnement"] = [
                _("Dispense refusée : rédigez le raisonnement du jury.")
            ]
        codes_competence = set(
            Critere.objects.filter(competence_id=critere.competence_id).values_list(
                "code", flat=True
            )
        )
        if codes_competence <= autres | {critere.code}:
            errors.setdefault("decision", []).append(
                _(
                    "Dispense refusée : ce serait dispenser le candidat de tous les "
                    "critères de la compétence %(competence)s. Le jury dispense de "
                    "certains critères seulement : une compétence dont rien n'est "
                    "évalué ne peut pas être acquise par dispense."
                )
                % {"competence": critere.competence.code}
            )
    if errors:
        raise ValidationError(errors)
    dispense = Dispense.objects.filter(proposition=proposition).first() or Dispense(
        proposition=proposition, inscription=inscription, critere=critere
    )
    dispense.accordee = accorder
    dispense.condition_capacite_globale = condition_capacite_globale
    dispense.condition_pratique_future = condition_pratique_future
    dispense.raisonnement = raisonnement.strip()
    dispense.ensemble = ", ".join(sorted(autres | {critere.code})) if accorder else ""
    dispense.decide_par = by
    dispense.decide_le = timezone.now()
    dispense.full_clean()
    dispense.save()
    dispense.presents.set(presents)
    return dispense
