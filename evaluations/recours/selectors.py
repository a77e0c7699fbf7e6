"""Reads of the appeals area: whether a candidate may file an appeal now (the
one home of the rule), who reads which appeal and which joined document, the
list of the appeals, and what an appeal's page shows."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.models import User
from certif.roles import Role, has_role, is_admin
from certif.templatetags.certif_tags import date_longue
from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document
from evaluations.documents.snapshots import snapshot_to_json
from evaluations.jury.models import ConflitInterets, MembreJury
from evaluations.recours.models import PieceRecours, Recours
from evaluations.recours.snapshots import addendum_snapshot
from evaluations.resultats.selectors import date_limite_recours
from evaluations.sessions.models import Inscription

EN_COURS = (Recours.Statut.DEPOSE, Recours.Statut.EN_INSTRUCTION)


def recours_en_cours_of(*, inscription: Inscription) -> Recours | None:
    """The appeal of the enrolment still to decide, if any (at most one)."""
    return (
        Recours.objects.filter(inscription=inscription, statut__in=EN_COURS)
        .order_by("-pk")
        .first()
    )


def depot_refus(*, inscription: Inscription) -> str | None:
    """Why the candidate cannot file an appeal against the jury's decision now,
    or None: the results of the session must be published, the appeal delay
    running (its last day included, Paris time), the candidate neither
    withdrawn nor deferred, the decision locked, and no other appeal of the
    enrolment undecided. The one home of the rule: the result page, the filing
    page and ``recours_deposer`` (under the enrolment's lock) ask it."""
    if inscription.est_desistee:
        return _(
            "Vous vous êtes désisté de cette session : le jury n'a pas statué sur "
            "votre candidature, aucun recours n'est possible."
        )
    if inscription.est_reportee:
        return _(
            "Votre candidature a été reportée à une session ultérieure : le jury de "
            "cette session n'a pas statué sur elle, aucun recours n'est possible."
        )
    limite = date_limite_recours(inscription)
    if limite is None:
        return _(
            "Les résultats de cette session ne sont pas encore publiés : un recours "
            "se forme après leur publication."
        )
    if timezone.localdate() > limite:
        return _("Le délai de recours est clos depuis le %(date)s.") % {
            "date": date_longue(limite + timedelta(days=1))
        }
    en_cours = recours_en_cours_of(inscription=inscription)
    if en_cours is not None:
        return _(
            "Votre recours %(reference)s est en cours d'examen : un autre recours ne "
            "peut être formé qu'après sa décision."
        ) % {"reference": en_cours.reference}
    deliberation = Deliberation.objects.filter(inscription=inscription).first()
    if deliberation is None or not deliberation.verrouillee:
        return _(
            "La décision du jury vous concernant est en cours de réexamen : un "
            "recours se forme contre une décision arrêtée."
        )
    return None


def recours_of(*, inscription: Inscription) -> list[Recours]:
    """The enrolment's appeals, newest first, with their documents."""
    return list(
        Recours.objects.filter(inscription=inscription)
        .prefetch_related("pieces")
        .order_by("-depose_le", "-pk")
    )


def get_inscription_for_recours(user: User, pk: int) -> Inscription:
    """The enrolment a candidate files an appeal for: their own (another's is
    404); any other role 403 (an appeal is the candidate's own act)."""
    if not has_role(user, Role.CANDIDAT):
        raise PermissionDenied
    return get_object_or_404(
        Inscription.objects.select_related(
            "candidat__user",
            "session__referentiel__certification",
            "session__publication_resultats",
        ),
        pk=pk,
        candidat__user=user,
    )


def _sans_conflit(user: User) -> Q:
    """The appeals whose candidate the user has no declared conflict with."""
    return ~Q(
        Exists(
            ConflitInterets.objects.filter(
                membre__user=user, inscription=OuterRef("inscription")
            )
        )
    )


def recours_visible_to(*, user: User) -> QuerySet[Recours]:
    """Every appeal for an administrator; for a jury president, the appeals of
    the sessions they preside, except a candidate they declared a conflict
    with; none for anyone else."""
    queryset = Recours.objects.select_related(
        "inscription__candidat",
        "inscription__session__referentiel__certification",
    )
    if is_admin(user):
        return queryset
    if has_role(user, Role.PRESIDENT):
        presidences = MembreJury.objects.filter(
            user=user, role=MembreJury.Role.PRESIDENT
        ).values("session_id")
        return queryset.filter(
            _sans_conflit(user), inscription__session__in=presidences
        )
    return queryset.none()


def recours_list_for(*, user: User, statut: str = "") -> QuerySet[Recours]:
    """The appeals the user handles, oldest undecided first, then the decided
    ones newest first; ``statut`` filters (an unknown value is ignored). One
    query per page whatever the number of appeals (their documents counted by
    the database)."""
    queryset = recours_visible_to(user=user)
    if statut in Recours.Statut.values:
        queryset = queryset.filter(statut=statut)
    return queryset.order_by("statut", "-depose_le", "-pk")


def get_recours_for(user: User, pk: int) -> Recours:
    """An appeal for who handles it (the administrator, the session's president
    not in conflict with the candidate): another president gets 404, a role
    that handles no appeal (candidate, jury member, référent) 403."""
    if not (is_admin(user) or has_role(user, Role.PRESIDENT)):
        raise PermissionDenied
    return get_object_or_404(
        recours_visible_to(user=user).select_related(
            "depose_par", "instruit_par", "decide_par", "reouverture__par"
        ),
        pk=pk,
    )


def get_piece_for(user: User, pk: int) -> PieceRecours:
    """A document joined to an appeal, before it is sent: for who handles the
    appeal, and for the candidate who filed it; another candidate or president
    gets 404, a role that reads no appeal 403."""
    if not (
        is_admin(user)
        or has_role(user, Role.PRESIDENT)
        or has_role(user, Role.CANDIDAT)
    ):
        raise PermissionDenied
    visibles = recours_visible_to(user=user).values("pk")
    condition = Q(recours__in=visibles)
    if has_role(user, Role.CANDIDAT):
        condition |= Q(recours__inscription__candidat__user=user)
    piece = PieceRecours.objects.filter(condition, pk=pk).first()
    if piece is None:
        raise Http404
    return piece


@dataclass(frozen=True)
class RecoursVue:
    """What an appeal's page shows besides the appeal itself."""

    recours: Recours
    pieces: tuple[PieceRecours, ...]
    deliberation: Deliberation | None
    addendum: Document | None
    addendum_a_jour: bool  # the addendum lists the session's appeals as they are
    peut_gerer: bool  # instruct and decide (administrator or president)
    peut_emettre_addendum: bool  # the administrator

    @property
    def nouveau_vote_verrouille(self) -> bool:
        """For a revised appeal: the jury voted again since the re-opening."""
        return self.recours.nouveau_vote_verrouille(self.deliberation)

    @property
    def peut_reediter(self) -> bool:
        return self.peut_gerer and self.nouveau_vote_verrouille


def addendum_of(*, session_id: int) -> Document | None:
    """The session's current addendum to its PV, if issued."""
    return Document.objects.filter(
        nature=Document.Nature.ADDENDUM,
        session_id=session_id,
        inscription__isnull=True,
        statut=Document.Statut.VALIDE,
    ).first()


def recours_vue_of(*, recours: Recours, user: User) -> RecoursVue:
    """The appeal's page: its documents, the enrolment's deliberation, the
    session's addendum and whether it is up to date (its frozen data against
    the session's decided appeals now: a decision whose addendum could not be
    issued shows, and the administrator issues it)."""
    session_id = recours.inscription.session_id
    addendum = addendum_of(session_id=session_id)
    attendu = addendum_snapshot(session_id=session_id)
    return RecoursVue(
        recours=recours,
        pieces=tuple(recours.pieces.order_by("pk")),
        deliberation=Deliberation.objects.filter(
            inscription_id=recours.inscription_id
        ).first(),
        addendum=addendum,
        addendum_a_jour=addendum.snapshot == snapshot_to_json(attendu)
        if addendum is not None
        else not attendu.recours,
        peut_gerer=True,
        peut_emettre_addendum=is_admin(user),
    )


def get_session_id_for_addendum(user: User, recours: Recours) -> int:
    """The session whose addendum the administrator issues from an appeal's
    page (a president reads it, the administrator issues it)."""
    if not is_admin(user):
        raise PermissionDenied
    return recours.inscription.session_id
