"""Deliberation: the vote that locks an enrolment, its explicit re-opening, and the
blocs recorded as acquired by the person (capitalisation).

``deliberation_assert_open`` is the single guard every write to an enrolment's
scores, consolidation, decision or exemptions calls; views turn its error into an
HTTP 409 (``evaluations.views.deliberation.verrou_409``)."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.models import User
from evaluations.models import (
    BlocAcquis,
    Deliberation,
    Inscription,
    MembreJury,
    ReouvertureDeliberation,
)
from evaluations.rollup import Decision, Rollup
from referentiel.models import Bloc


class DeliberationVerrouilleeError(Exception):
    """A write to an enrolment whose deliberation is voted and locked."""

    def __init__(self, inscription: Inscription | None = None) -> None:
        self.inscription = inscription
        super().__init__(
            _(
                "La délibération de ce candidat est votée et verrouillée : plus aucune "
                "modification n'est possible. Le président du jury peut la rouvrir en "
                "indiquant le motif."
            )
        )


def deliberation_assert_open(*, inscription: Inscription) -> None:
    """Raise DeliberationVerrouilleeError when the enrolment's deliberation is
    locked. Uses the cached ``inscription.deliberation`` when the caller loaded it
    with ``select_related("deliberation")`` (no query), one query otherwise."""
    try:
        deliberation = inscription.deliberation
    except Deliberation.DoesNotExist:
        return
    if deliberation.verrouillee:
        raise DeliberationVerrouilleeError(inscription)


@transaction.atomic
def deliberation_record(
    *,
    inscription: Inscription,
    rollup: Rollup,
    motif: str,
    presents: Iterable[MembreJury],
    by: User,
) -> Deliberation:
    """Vote the decision the roll-up of the consolidated results proposes, with a
    motive and the members present (quorum, president included), lock the
    enrolment and reconcile the blocs acquired by the person."""
    inscription = Inscription.objects.select_for_update().get(pk=inscription.pk)
    existing = Deliberation.objects.filter(inscription=inscription).first()
    if existing is not None and existing.verrouillee:
        raise DeliberationVerrouilleeError(inscription)
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
    deliberation._history_user = by  # type: ignore[attr-defined]
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
    already acquired in an earlier session keeps its first record); the blocs a
    previous vote of this enrolment recorded and this one does not are removed."""
    today = timezone.localdate()
    BlocAcquis.objects.filter(inscription=inscription).exclude(bloc__in=blocs).delete()
    already = set(
        BlocAcquis.objects.filter(
            candidat_id=inscription.candidat_id, bloc__in=blocs
        ).values_list("bloc_id", flat=True)
    )
    for bloc in blocs:
        if bloc.pk in already:
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
    deliberation = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
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
    deliberation._history_user = by  # type: ignore[attr-defined]
    deliberation.full_clean()
    deliberation.save(update_fields=["verrouillee"])
    return reouverture
