"""Deliberation: the vote that locks an enrolment, its explicit re-opening,
the blocs recorded as acquired by the person (capitalisation), and the jury's
decision on an exemption proposed by the référent's avis motivé. Every write
here takes the enrolment's lock first (``evaluations.sessions.verrou``)."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.models import User
from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.jury.models import MembreJury
from evaluations.notation.rollup import Decision
from evaluations.notation.selectors import rollup_consolide_for
from evaluations.sessions.models import BlocAcquis, Inscription
from evaluations.sessions.selectors import blocs_acquis_for
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
) -> Deliberation:
    """Vote the decision the roll-up of the consolidated results proposes, with a
    motive and the members present (quorum, president included), lock the
    enrolment and reconcile the blocs acquired by the person. The roll-up is
    computed here, after the enrolment's lock: a consolidation saved while the
    president was reading the page is voted on as it is now."""
    inscription = inscription_lock(inscription_id=inscription.pk)
    existing = Deliberation.objects.filter(inscription=inscription).first()
    rollup = rollup_consolide_for(inscription=inscription)
    decision = rollup.decision_proposee
    if decision is None:
        raise ValidationError(
            _(
                "Les résultats consolidés sont incomplets : terminez la consolidation "
                "avant de délibérer."
            )
        )
    presents = list(presents)
    errors = []
    if not motif.strip():
        errors.append(_("Indiquez le motif de la décision."))
    if any(m.session_id != inscription.session_id for m in presents):
        errors.append(
            _("Seuls les membres du jury de la session peuvent être présents.")
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
    if errors:
        raise ValidationError(errors)

    deliberation = existing or Deliberation(inscription=inscription)
    deliberation.decision = Deliberation.Decision(str(decision))
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
            code__in=rollup.blocs_valides,
        )
    )
    deliberation.blocs_valides.set(blocs)
    deliberation.presents.set(presents)
    _blocs_acquis_reconcile(inscription=inscription, blocs=blocs, decision=decision)
    return deliberation


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
    by: User,
) -> Dispense:
    """The jury's decision on one exemption proposed by the avis motivé. Granting
    requires both cumulative conditions and the reasoning; only for a criterion the
    avis names; only while the enrolment's deliberation is open (else
    DeliberationVerrouilleeError, checked after the enrolment's lock). A later
    decision replaces the previous one (history keeps both)."""
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
    if accorder:
        errors: dict[str, list[str]] = {}
        if not condition_capacite_globale:
            errors["condition_capacite_globale"] = [
                _(
                    "Dispense refusée : le jury doit affirmer qu'elle ne remet pas en "
                    "question la capacité professionnelle globale du candidat."
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
        if errors:
            raise ValidationError(errors)
    dispense = Dispense.objects.filter(proposition=proposition).first() or Dispense(
        proposition=proposition, inscription=inscription, critere=critere
    )
    dispense.accordee = accorder
    dispense.condition_capacite_globale = condition_capacite_globale
    dispense.condition_pratique_future = condition_pratique_future
    dispense.raisonnement = raisonnement.strip()
    dispense.decide_par = by
    dispense.decide_le = timezone.now()
    dispense.full_clean()
    dispense.save()
    return dispense
