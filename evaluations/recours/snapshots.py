"""The frozen data of the addendum to a session's PV: every decided appeal of
the session, its outcome and motive, and for a revised decision the decision
of the new vote once it is locked (same naming rule as the PV:
``nom_document``)."""

from django.utils import timezone

from evaluations.deliberation.models import Deliberation
from evaluations.documents.snapshots import (
    AddendumSnapshot,
    RecoursAddendum,
    certificateur_info,
    certification_info,
    nom_document,
)
from evaluations.recours.models import Recours
from evaluations.sessions.models import Session


def _decision(deliberation: Deliberation | None) -> str:
    if deliberation is None:
        return ""
    blocs = ", ".join(sorted(b.code for b in deliberation.blocs_valides.all()))
    libelle = str(deliberation.get_decision_display())
    return f"{libelle} ({blocs})" if blocs else libelle


def _decision_initiale(recours: Recours) -> str:
    """The decision the appeal contested: the deliberation as it stood when the
    appeal was decided (its history), before any new vote."""
    record = (
        Deliberation.history.filter(
            inscription_id=recours.inscription_id,
            history_date__lte=recours.decide_le,
            verrouillee=True,
        )
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is None:
        return ""
    return str(Deliberation.Decision(record.decision).label)


def addendum_snapshot(*, session_id: int) -> AddendumSnapshot:
    """The addendum of the session as its appeals stand now (decided ones
    only), in a fixed number of queries plus one per decided appeal (the
    contested decision, read in the deliberation's history)."""
    session = Session.objects.select_related(
        "referentiel__certification__certificateur"
    ).get(pk=session_id)
    recours = list(
        Recours.objects.filter(
            inscription__session=session, statut=Recours.Statut.DECIDE
        )
        .select_related("inscription__candidat", "reouverture")
        .order_by("decide_le", "pk")
    )
    deliberations = {
        d.inscription_id: d
        for d in Deliberation.objects.filter(
            inscription_id__in=[r.inscription_id for r in recours]
        ).prefetch_related("blocs_valides")
    }
    lignes = []
    for r in recours:
        assert r.decide_le is not None  # noqa: S101 - constraint: decided
        deliberation = deliberations.get(r.inscription_id)
        revote = r.nouveau_vote_verrouille(deliberation)
        lignes.append(
            RecoursAddendum(
                reference=r.reference,
                candidat=nom_document(r.inscription.candidat),
                depose_le=timezone.localdate(r.depose_le).isoformat(),
                decide_le=timezone.localdate(r.decide_le).isoformat(),
                issue=r.issue,
                issue_libelle=str(r.get_issue_display()),
                motif=r.motif_decision,
                decision_initiale=_decision_initiale(r)
                if r.est_revise
                else _decision(deliberation),
                nouvelle_decision=_decision(deliberation) if revote else "",
                nouvelle_decision_le=timezone.localdate(
                    deliberation.decidee_le
                ).isoformat()
                if revote and deliberation is not None
                else "",
            )
        )
    return AddendumSnapshot(
        session=session.nom,
        certification=certification_info(session.referentiel),
        date_jury=session.date_jury.isoformat(),
        recours=tuple(lignes),
        certificateur=certificateur_info(
            session.referentiel.certification.certificateur
        ),
        lieu=session.lieu_jury,
    )
