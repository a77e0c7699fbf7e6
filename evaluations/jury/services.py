"""Jury composition, conflicts of interest and assignments of evaluators."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from certif.messages import LISTE_MAX, absolute_url, message_send
from certif.models import User
from certif.roles import Role, has_role
from evaluations.jury.models import Affectation, ConflitInterets, MembreJury
from evaluations.notation.models import Evaluation
from evaluations.sessions.models import Inscription, Session
from evaluations.sessions.verrou import (
    deliberation_assert_open,
    est_verrouillee,
    inscription_lock,
    inscriptions_lock,
)


def _assert_session_modifiable(session: Session) -> None:
    if session.est_terminee:
        raise ValidationError(
            _("La session « %(nom)s » est délibérée ou close : le jury ne change plus.")
            % {"nom": session.nom}
        )


@transaction.atomic
def membre_jury_add(
    *,
    session: Session,
    user: User,
    role: str = MembreJury.Role.MEMBRE,
    qualite: str = "",
) -> MembreJury:
    """Add a person to the session's jury. A président needs the role « Président
    du jury »; a member the role « Membre du jury » (or président)."""
    _assert_session_modifiable(session)
    if role == MembreJury.Role.PRESIDENT:
        if not has_role(user, Role.PRESIDENT):
            raise ValidationError(
                _("%(user)s n'a pas le rôle « Président du jury ».") % {"user": user}
            )
    elif not has_role(user, Role.MEMBRE_JURY, Role.PRESIDENT):
        raise ValidationError(
            _("%(user)s n'a pas le rôle « Membre du jury ».") % {"user": user}
        )
    if MembreJury.objects.filter(session=session, user=user).exists():
        raise ValidationError(
            _("%(user)s fait déjà partie du jury de cette session.") % {"user": user}
        )
    membre = MembreJury(session=session, user=user, role=role, qualite=qualite.strip())
    membre.full_clean()
    membre.save()
    return membre


@transaction.atomic
def membre_jury_remove(*, membre: MembreJury) -> None:
    """Remove a member who has not scored, declared a conflict or sat in a
    deliberation (those facts stay recorded)."""
    _assert_session_modifiable(membre.session)
    # The evaluators of a locked enrolment stay as they were: lock the member's
    # enrolments, then check them as read after the locks.
    inscriptions_lock(
        inscription_ids=membre.affectations.values_list("inscription_id", flat=True)
    )
    if Evaluation.objects.filter(affectation__membre=membre).exists():
        raise ValidationError(
            _("%(membre)s a déjà évalué des candidats : il reste membre du jury.")
            % {"membre": membre.user}
        )
    if membre.conflits.exists() or membre.deliberations.exists():
        raise ValidationError(
            _(
                "%(membre)s a déclaré un conflit d'intérêts ou siégé à une "
                "délibération : il reste au procès-verbal."
            )
            % {"membre": membre.user}
        )
    membre.affectations.all().delete()
    membre.delete()


@transaction.atomic
def affectation_add(*, membre: MembreJury, inscription: Inscription) -> Affectation:
    """Assign a jury member to evaluate an enrolment of the same session."""
    if membre.session_id != inscription.session_id:
        raise ValidationError(
            _("Le membre et le candidat n'appartiennent pas à la même session.")
        )
    inscription = inscription_lock(inscription_id=inscription.pk, ouverte=False)
    _assert_session_modifiable(inscription.session)
    deliberation_assert_open(inscription=inscription)
    if ConflitInterets.objects.filter(membre=membre, inscription=inscription).exists():
        raise ValidationError(
            _(
                "%(membre)s a déclaré un conflit d'intérêts avec ce candidat : il ne "
                "peut pas l'évaluer."
            )
            % {"membre": membre.user}
        )
    if Affectation.objects.filter(membre=membre, inscription=inscription).exists():
        raise ValidationError(
            _("%(membre)s évalue déjà ce candidat.") % {"membre": membre.user}
        )
    affectation = Affectation(membre=membre, inscription=inscription)
    affectation.full_clean()
    affectation.save()
    _affectations_notify(
        membre=membre,
        session=inscription.session,
        candidats=[inscription.candidat.nom_complet],
        cle=f"affectations:{affectation.pk}",
    )
    return affectation


@transaction.atomic
def affectation_remove(*, affectation: Affectation) -> None:
    """Withdraw an assignment on which nothing has been scored yet, of an
    enrolment whose deliberation is open."""
    inscription = inscription_lock(
        inscription_id=affectation.inscription_id, ouverte=False
    )
    _assert_session_modifiable(inscription.session)
    deliberation_assert_open(inscription=inscription)
    if affectation.evaluations.exists():
        raise ValidationError(
            _(
                "Cet évaluateur a déjà noté des critères : l'affectation ne peut plus "
                "être retirée (un conflit d'intérêts déclaré l'écarte)."
            )
        )
    affectation.delete()


@dataclass
class AffectationAutoResult:
    creees: int = 0
    incompletes: list[tuple[Inscription, int]] = field(default_factory=list)


@transaction.atomic
def affectations_auto(
    *, session: Session, par_candidat: int | None = None
) -> AffectationAutoResult:
    """Give every enrolment of the session ``par_candidat`` evaluators (default
    ``settings.EVALUATEURS_PAR_CANDIDAT``): the least-loaded members first (ties
    broken by the member's id, so a run is reproducible), never a member with a
    declared conflict with that candidate. Existing assignments count and are kept,
    so running it again creates nothing new. Enrolments already deliberated are
    left alone. Reports the enrolments that could not get enough evaluators."""
    _assert_session_modifiable(session)
    n = par_candidat if par_candidat is not None else settings.EVALUATEURS_PAR_CANDIDAT
    if n < 1:
        raise ValidationError(_("Il faut au moins un évaluateur par candidat."))
    membres = list(
        MembreJury.objects.filter(session=session).select_related("user").order_by("pk")
    )
    # Lock the session's enrolments, then leave alone those locked as read after
    # the locks: a vote that lands meanwhile is seen.
    inscriptions = [
        inscription
        for inscription in inscriptions_lock(
            inscription_ids=Inscription.objects.filter(session=session).values_list(
                "pk", flat=True
            ),
            ouverte=False,
        )
        if not est_verrouillee(inscription)
    ]
    existing: dict[int, set[int]] = {}
    charge: Counter[int] = Counter({m.pk: 0 for m in membres})
    for membre_id, inscription_id in Affectation.objects.filter(
        membre__session=session
    ).values_list("membre_id", "inscription_id"):
        existing.setdefault(inscription_id, set()).add(membre_id)
        charge[membre_id] += 1
    conflits: dict[int, set[int]] = {}
    for membre_id, inscription_id in ConflitInterets.objects.filter(
        membre__session=session
    ).values_list("membre_id", "inscription_id"):
        conflits.setdefault(inscription_id, set()).add(membre_id)

    result = AffectationAutoResult()
    nouvelles: list[Affectation] = []
    for inscription in inscriptions:
        deja = existing.get(inscription.pk, set())
        manque = n - len(deja)
        if manque <= 0:
            continue
        exclus = deja | conflits.get(inscription.pk, set())
        eligibles = sorted(
            (m for m in membres if m.pk not in exclus),
            key=lambda m: (charge[m.pk], m.pk),
        )
        for membre in eligibles[:manque]:
            nouvelles.append(Affectation(membre=membre, inscription=inscription))
            charge[membre.pk] += 1
        obtenus = len(deja) + min(manque, len(eligibles))
        if obtenus < n:
            result.incompletes.append((inscription, obtenus))
    # Each row was checked above (same session, no conflict, no duplicate); the
    # unique constraint still guards a concurrent run.
    Affectation.objects.bulk_create(nouvelles)
    result.creees = len(nouvelles)
    # One e-mail per member for the whole batch, not one per candidate.
    par_membre: dict[int, list[Affectation]] = {}
    for affectation in nouvelles:
        par_membre.setdefault(affectation.membre_id, []).append(affectation)
    for lot in par_membre.values():
        _affectations_notify(
            membre=lot[0].membre,
            session=session,
            candidats=[
                c.nom_complet
                for c in sorted(
                    (a.inscription.candidat for a in lot),
                    key=lambda c: (c.nom_naissance, c.prenom1, c.pk),
                )
            ],
            cle=f"affectations:{lot[0].pk}",
        )
    return result


def _affectations_notify(
    *, membre: MembreJury, session: Session, candidats: Sequence[str], cle: str
) -> None:
    """Tell a member (template ``emails/jury_affectation/``, sent once the
    assignment commits) which candidates they now evaluate. ``cle``: the first
    new assignment's id, one message per batch. The first ``LISTE_MAX`` are
    named, the others counted."""
    user = membre.user
    message_send(
        gabarit="jury_affectation",
        destinataire=user.email,
        utilisateur=user,
        contexte={
            "prenom": user.get_full_name() or user.email,
            "session": session.nom,
            "date_jury": session.date_jury,
            "nb": len(candidats),
            "candidats": list(candidats[:LISTE_MAX]),
            "autres": max(0, len(candidats) - LISTE_MAX),
            "lien": absolute_url(reverse("evaluations:jury_tableau_de_bord")),
        },
        cle=cle,
    )


@transaction.atomic
def conflit_declare(
    *, membre: MembreJury, inscription: Inscription, nature: str, commentaire: str = ""
) -> ConflitInterets:
    """A member declares a link with a candidate of their session. The member is
    removed from that candidate at once: the assignment and its scores are deleted
    (simple_history keeps them in the audit trail). Refused after the vote when
    scores would be deleted."""
    if membre.session_id != inscription.session_id:
        raise ValidationError(_("Ce candidat n'est pas inscrit dans votre session."))
    if ConflitInterets.objects.filter(membre=membre, inscription=inscription).exists():
        raise ValidationError(
            _("Vous avez déjà déclaré un conflit d'intérêts avec ce candidat.")
        )
    conflit = ConflitInterets(
        membre=membre,
        inscription=inscription,
        nature=nature,
        commentaire=commentaire.strip(),
    )
    conflit.full_clean()
    inscription = inscription_lock(inscription_id=inscription.pk, ouverte=False)
    affectation = Affectation.objects.filter(
        membre=membre, inscription=inscription
    ).first()
    if affectation is not None:
        evaluations = list(affectation.evaluations.all())
        if evaluations:
            if est_verrouillee(inscription):
                raise ValidationError(
                    _(
                        "La délibération de ce candidat est verrouillée : demandez au "
                        "président de la rouvrir avant de déclarer ce conflit."
                    )
                )
            for evaluation in evaluations:
                evaluation._history_user = membre.user
                evaluation.delete()
        affectation.delete()
    conflit.save()
    return conflit
