"""Reads of the deliberation area: the audit history of an enrolment and
the exemptions the president's jury has to decide."""

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from certif.models import User
from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.jury.models import Affectation, MembreJury
from evaluations.notation.models import Consolidation, Evaluation, Resultat
from evaluations.recours.models import Recours
from evaluations.sessions.models import EcritureRefusee, Inscription
from handicap.models import (
    Dispense,
    PropositionDispense,
)


@dataclass(frozen=True)
class EntreeHistorique:
    le: datetime
    par: str
    objet: str
    avant: str
    apres: str


def _nom(user: User | None) -> str:
    if user is None:
        return gettext("(inconnu)")
    return user.get_full_name() or user.email


def _resultat_label(value: str | None) -> str:
    return str(Resultat(value).label) if value in Resultat.values else "—"


def _avec_commentaire(resultat: str | None, commentaire: str) -> str:
    label = _resultat_label(resultat)
    return f"{label} — « {commentaire} »" if commentaire else label


def historique_for(*, inscription: Inscription) -> list[EntreeHistorique]:
    """Who changed what and when on an enrolment — scores, consolidation, decisions,
    re-openings, appeals (filed, instructed, decided, documents re-issued) and the
    writes the lock refused — newest first, each with the value before and after;
    seven queries whatever the length of the history."""
    entrees: list[EntreeHistorique] = []
    evaluateurs = {
        a.pk: _nom(a.membre.user)
        for a in Affectation.objects.filter(inscription=inscription).select_related(
            "membre__user"
        )
    }
    precedent: dict[int, str] = {}
    for record in (
        Evaluation.history.filter(affectation_id__in=list(evaluateurs))
        .select_related("critere", "history_user")
        .order_by("history_date", "history_id")
    ):
        valeur = (
            gettext("supprimée")
            if record.history_type == "-"
            else _avec_commentaire(record.resultat, record.commentaire)
        )
        entrees.append(
            EntreeHistorique(
                le=record.history_date,
                par=_nom(record.history_user),
                objet=gettext("Évaluation de %(evaluateur)s — %(critere)s")
                % {
                    "evaluateur": evaluateurs.get(record.affectation_id, "?"),
                    "critere": record.critere.code,
                },
                avant=precedent.get(record.id, "—"),
                apres=valeur,
            )
        )
        precedent[record.id] = valeur
    precedent = {}
    for record in (
        Consolidation.history.filter(inscription_id=inscription.pk)
        .select_related("critere", "history_user")
        .order_by("history_date", "history_id")
    ):
        valeur = _avec_commentaire(record.resultat, record.commentaire)
        entrees.append(
            EntreeHistorique(
                le=record.history_date,
                par=_nom(record.history_user),
                objet=gettext("Résultat du jury — %(critere)s (version %(v)d)")
                % {"critere": record.critere.code, "v": record.version},
                avant=precedent.get(record.id, "—"),
                apres=valeur,
            )
        )
        precedent[record.id] = valeur
    avant = "—"
    for record in (
        Deliberation.history.filter(inscription_id=inscription.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        etat = gettext("verrouillée") if record.verrouillee else gettext("rouverte")
        valeur = f"{Deliberation.Decision(record.decision).label} ({etat}) — « {record.motif} »"
        if valeur == avant:
            # The members present and the blocs are many-to-many: setting them
            # adds history rows with the same decision; one line is enough.
            continue
        entrees.append(
            EntreeHistorique(
                le=record.history_date,
                par=_nom(record.history_user),
                objet=gettext("Délibération"),
                avant=avant,
                apres=valeur,
            )
        )
        avant = valeur
    for reouverture in ReouvertureDeliberation.objects.filter(
        deliberation__inscription=inscription
    ).select_related("par"):
        entrees.append(
            EntreeHistorique(
                le=reouverture.le,
                par=_nom(reouverture.par),
                objet=gettext("Réouverture de la délibération"),
                avant="",
                apres=gettext("Motif : %(motif)s") % {"motif": reouverture.motif},
            )
        )
    avant_recours: dict[int, str] = {}
    for record in (
        Recours.history.filter(inscription_id=inscription.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        valeur = str(Recours.Statut(record.statut).label)
        if record.issue:
            valeur += (
                f" — {Recours.Issue(record.issue).label} — « {record.motif_decision} »"
            )
        if record.documents_reedites_le:
            valeur += " — " + gettext("documents réédités")
        entrees.append(
            EntreeHistorique(
                le=record.history_date,
                par=_nom(record.history_user),
                objet=gettext("Recours %(reference)s")
                % {
                    "reference": Recours(
                        pk=record.id, depose_le=record.depose_le
                    ).reference
                },
                avant=avant_recours.get(record.id, "—"),
                apres=valeur,
            )
        )
        avant_recours[record.id] = valeur
    for refus in EcritureRefusee.objects.filter(inscription=inscription).select_related(
        "par"
    ):
        entrees.append(
            EntreeHistorique(
                le=refus.le,
                par=_nom(refus.par),
                objet=gettext("Écriture refusée (délibération verrouillée)"),
                avant="",
                apres=refus.get_action_display(),
            )
        )
    entrees.sort(key=lambda e: e.le, reverse=True)
    return entrees


def reouvertures_of(
    *, deliberation: Deliberation | None
) -> list[ReouvertureDeliberation]:
    """The deliberation's re-openings, newest first, each with who re-opened it
    and the appeal that caused it, if any (its page re-issues the documents
    once the new vote is locked); one query."""
    if deliberation is None:
        return []
    return list(
        ReouvertureDeliberation.objects.filter(deliberation=deliberation)
        .select_related("par", "recours")
        .order_by("-le", "-pk")
    )


def presents_precedents(*, inscription: Inscription) -> list[int]:
    """The members present at the jury's latest decision of the same sitting (a
    vote or an exemption in the enrolment's session, the same day, Paris time),
    to pre-fill the next one; empty when the jury has not sat yet today. Three
    queries."""
    debut = timezone.make_aware(
        datetime.combine(timezone.localdate(), time.min),
        timezone.get_current_timezone(),
    )
    deliberation = (
        Deliberation.objects.filter(
            inscription__session_id=inscription.session_id, decidee_le__gte=debut
        )
        .order_by("-decidee_le", "-pk")
        .values_list("pk", "decidee_le")
        .first()
    )
    dispense = (
        Dispense.objects.filter(
            inscription__session_id=inscription.session_id,
            decide_le__gte=debut,
            presents__isnull=False,
        )
        .order_by("-decide_le", "-pk")
        .values_list("pk", "decide_le")
        .first()
    )
    # Always a third query (on no row when the jury has not sat today), so that
    # the page's query count does not depend on the day's decisions.
    if dispense is not None and (deliberation is None or dispense[1] > deliberation[1]):
        return sorted(
            Dispense.presents.through.objects.filter(
                dispense_id=dispense[0]
            ).values_list("membrejury_id", flat=True)
        )
    return sorted(
        Deliberation.presents.through.objects.filter(
            deliberation_id=deliberation[0] if deliberation else 0
        ).values_list("membrejury_id", flat=True)
    )


def _presidences(user: User) -> QuerySet[MembreJury]:
    return MembreJury.objects.filter(user=user, role=MembreJury.Role.PRESIDENT)


def inscriptions_a_dispenser_for(*, user: User) -> QuerySet[Inscription]:
    """Enrolments of the sessions the user presides whose avis motivé proposes
    exemptions, with the number proposed and the number still to decide."""
    return (
        Inscription.objects.filter(
            session__membres__in=_presidences(user),
            demande_amenagement__avis__propositions__isnull=False,
        )
        .select_related("candidat", "session", "deliberation")
        .annotate(
            nb_propositions=Count(
                "demande_amenagement__avis__propositions", distinct=True
            ),
            nb_a_decider=Count(
                "demande_amenagement__avis__propositions",
                filter=Q(
                    demande_amenagement__avis__propositions__dispense__isnull=True
                ),
                distinct=True,
            ),
        )
        .order_by("session__date_jury", "candidat__nom_naissance", "pk")
    )


def propositions_de(*, inscription: Inscription) -> list[PropositionDispense]:
    return list(
        PropositionDispense.objects.filter(avis__demande__inscription=inscription)
        .select_related("critere__competence", "dispense__decide_par")
        .order_by("critere_id")
    )


def get_inscription_for_dispenses(user: User, pk: int) -> Inscription:
    """An enrolment with an avis motivé, for the president of its session."""
    try:
        return Inscription.objects.select_related(
            "candidat", "session", "demande_amenagement__avis"
        ).get(
            pk=pk,
            session__membres__in=_presidences(user),
            demande_amenagement__avis__isnull=False,
        )
    except Inscription.DoesNotExist:
        raise Http404 from None


def get_proposition_for_president(user: User, pk: int) -> PropositionDispense:
    try:
        return PropositionDispense.objects.select_related(
            "critere", "avis__demande__inscription__session"
        ).get(
            pk=pk,
            avis__demande__inscription__session__membres__in=_presidences(user),
        )
    except PropositionDispense.DoesNotExist:
        raise Http404 from None
