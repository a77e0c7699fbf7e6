"""Writes of the appeals area: filing an appeal (text and joined documents,
checked and stored like deliverables), instructing and deciding it (a revised
decision re-opens the deliberation through the logged re-opening), re-issuing
the candidate's documents after the new vote, issuing the addendum to the
session's PV, and the e-mails of each step.

Every step takes the enrolment's row lock and reads the state after acquiring
it (``inscription_lock``), then the appeal's row. Rendering a PDF never happens
inside a transaction: the addendum and the documents are issued after the
decision is committed."""

import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certif.messages import TEMPLATE_SYNTAX, absolute_url, message_send
from certif.models import User
from certif.roles import Role
from certif.uploads import BUREAUTIQUE, HashingFile, upload_check
from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.services import deliberation_reopen
from evaluations.documents.models import Document
from evaluations.documents.services import document_issue, inscription_documents_issue
from evaluations.documents.snapshots import DocumentsIndisponiblesError
from evaluations.jury.models import ConflitInterets, MembreJury
from evaluations.livrables.services import Depot
from evaluations.recours.models import PIECES_MAX, TEXTE_MAX, PieceRecours, Recours
from evaluations.recours.selectors import depot_refus
from evaluations.recours.snapshots import addendum_snapshot
from evaluations.resultats.selectors import phrase_decision
from evaluations.resultats.snapshots import lettre_snapshot
from evaluations.sessions.models import Inscription
from evaluations.sessions.verrou import inscription_lock

logger = logging.getLogger(__name__)


def _texte_errors(texte: str, *, champ: str, vide: str) -> str:
    texte = texte.strip()
    if not texte:
        raise ValidationError({champ: vide})
    if "\x00" in texte:
        raise ValidationError({champ: _("Le texte contient un caractère nul.")})
    if champ == "motif" and any(marker in texte for marker in TEMPLATE_SYNTAX):
        # The motive reaches the candidate's e-mail, which refuses template syntax.
        raise ValidationError(
            {
                champ: _(
                    "Le motif ne peut pas contenir les suites de caractères "
                    "« {{ », « }} », « {% », « %} », « {# » ni « #} »."
                )
            }
        )
    if len(texte) > TEXTE_MAX:
        raise ValidationError(
            {
                champ: _("Le texte dépasse %(n)d caractères.") % {"n": TEXTE_MAX},
            }
        )
    return texte


def recours_deposer(
    *, inscription: Inscription, texte: str, pieces: Sequence[Depot], by: User
) -> Recours:
    """File an appeal against the jury's decision on ``inscription``, with its
    text and up to ``PIECES_MAX`` documents (checked on content like a
    deliverable, streamed into private storage with their size and SHA-256).
    All or nothing: refused with a French message and nothing stored (no row,
    no file) when ``depot_refus`` says why (read under the enrolment's lock, so
    that two filings at once record one). The candidate, the administrators
    and the session's president are told by e-mail after the commit."""
    texte = _texte_errors(
        texte, champ="texte", vide=_("Exposez les motifs de votre recours.")
    )
    if len(pieces) > PIECES_MAX:
        raise ValidationError(
            {
                "pieces": ngettext(
                    "Joignez au plus %(n)d document.",
                    "Joignez au plus %(n)d documents.",
                    PIECES_MAX,
                )
                % {"n": PIECES_MAX}
            }
        )
    saved: list[str] = []
    try:
        with transaction.atomic():
            inscription = inscription_lock(inscription_id=inscription.pk, ouverte=False)
            refus = depot_refus(inscription=inscription)
            if refus:
                raise ValidationError(refus)
            recours = Recours(inscription=inscription, texte=texte, depose_par=by)
            recours._history_user = by
            recours.full_clean()
            recours.save()
            for depot in pieces:
                _piece_store(recours=recours, depot=depot, saved=saved)
            _notify_depot(recours=recours)
            return recours
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


def _piece_store(*, recours: Recours, depot: Depot, saved: list[str]) -> PieceRecours:
    controle = upload_check(nom=depot.nom, fichier=depot.fichier, formats=BUREAUTIQUE)
    piece = PieceRecours(
        recours=recours, nom_original=controle.nom, type_mime=controle.type_mime
    )
    field = PieceRecours._meta.get_field("fichier")
    name = field.generate_filename(piece, controle.nom)
    saved.append(name)
    stream = HashingFile(depot.fichier)
    stored = default_storage.save(name, stream)
    if stored != name:
        saved.append(stored)
    if stream.read_size == 0:
        raise ValidationError(
            {"pieces": _("Le fichier « %(nom)s » est vide.") % {"nom": controle.nom}}
        )
    piece.fichier.name = stored
    piece.taille = stream.read_size
    piece.sha256 = stream.digest.hexdigest()
    piece.full_clean()
    piece.save()
    return piece


def _recours_lock(recours: Recours) -> tuple[Inscription, Recours]:
    """The enrolment's lock, then the appeal's row, both read after the locks."""
    inscription = inscription_lock(inscription_id=recours.inscription_id, ouverte=False)
    recours = (
        Recours.objects.select_for_update(of=("self",))
        .select_related("inscription__candidat__user", "inscription__session")
        .get(pk=recours.pk)
    )
    return inscription, recours


@transaction.atomic
def recours_instruire(*, recours: Recours, by: User) -> Recours:
    """Put a filed appeal under instruction (déposé → en instruction); the
    candidate is told by e-mail."""
    _inscription, recours = _recours_lock(recours)
    if recours.statut != Recours.Statut.DEPOSE:
        raise ValidationError(
            _("Ce recours est déjà « %(statut)s ».")
            % {"statut": recours.get_statut_display()}
        )
    recours.statut = Recours.Statut.EN_INSTRUCTION
    recours.instruit_le = timezone.now()
    recours.instruit_par = by
    recours._history_user = by
    recours.full_clean()
    recours.save()
    _notify_candidat(recours=recours, etape="instruction")
    return recours


def recours_decider(*, recours: Recours, issue: str, motif: str, by: User) -> Recours:
    """Decide an appeal under instruction: the jury's decision is maintained or
    revised, with a motive either way. « Révisée » re-opens the deliberation
    with the appeal as its reason (``deliberation_reopen``, the logged
    re-opening, kept on the appeal); the president then votes again. The
    candidate is told by e-mail; the addendum to the session's PV is issued
    after the commit (a failure to issue it is reported, the decision stands:
    the appeal's page issues it again)."""
    recours = _recours_decision_record(recours=recours, issue=issue, motif=motif, by=by)
    addendum_issue_safe(session_id=recours.inscription.session_id, by=by)
    return recours


@transaction.atomic
def _recours_decision_record(
    *, recours: Recours, issue: str, motif: str, by: User
) -> Recours:
    if issue not in Recours.Issue.values:
        raise ValidationError({"issue": _("Choisissez l'issue du recours.")})
    motif = _texte_errors(
        motif, champ="motif", vide=_("Indiquez le motif de la décision.")
    )
    inscription, recours = _recours_lock(recours)
    if recours.statut != Recours.Statut.EN_INSTRUCTION:
        raise ValidationError(
            _("Seul un recours en instruction se décide ; celui-ci est « %(statut)s ».")
            % {"statut": recours.get_statut_display()}
        )
    if issue == Recours.Issue.REVISEE:
        deliberation = Deliberation.objects.filter(inscription=inscription).first()
        if deliberation is None:
            raise ValidationError(_("Aucune délibération à réviser."))
        recours.reouverture = deliberation_reopen(
            deliberation=deliberation,
            motif=_("Recours %(reference)s : %(motif)s")
            % {"reference": recours.reference, "motif": motif},
            by=by,
        )
    recours.statut = Recours.Statut.DECIDE
    recours.issue = issue
    recours.motif_decision = motif
    recours.decide_le = timezone.now()
    recours.decide_par = by
    recours._history_user = by
    recours.full_clean()
    recours.save()
    _notify_candidat(recours=recours, etape="decision")
    return recours


def recours_documents_reissue(*, recours: Recours, by: User) -> list[Document]:
    """After the new vote of a revised appeal is locked: issue the candidate's
    documents again from the new decision (relevé, parchemin or attestation:
    a new version where the data changed, an award no longer supported
    revoked), the result letter, the addendum with the new decision; then tell
    the candidate once that the new decision is published. Refused before the
    new vote is locked. Returns the documents issued now."""
    recours = Recours.objects.select_related("reouverture", "inscription__session").get(
        pk=recours.pk
    )
    deliberation = Deliberation.objects.filter(
        inscription_id=recours.inscription_id
    ).first()
    if not recours.nouveau_vote_verrouille(deliberation):
        raise ValidationError(
            _(
                "Les documents se rééditent une fois le nouveau vote du jury "
                "verrouillé, pour un recours dont la décision est révisée."
            )
        )
    issued = inscription_documents_issue(
        inscription_id=recours.inscription_id, by=by, notify=False
    )
    lettre = document_issue(
        nature=Document.Nature.LETTRE,
        session_id=recours.inscription.session_id,
        inscription_id=recours.inscription_id,
        snapshot=lettre_snapshot(inscription_id=recours.inscription_id),
        by=by,
    )
    if lettre is not None:
        issued.append(lettre)
    addendum_issue(session_id=recours.inscription.session_id, by=by)
    _reissue_record(recours=recours, by=by)
    return issued


@transaction.atomic
def _reissue_record(*, recours: Recours, by: User) -> Recours:
    _inscription, recours = _recours_lock(recours)
    recours.documents_reedites_le = timezone.now()
    recours._history_user = by
    recours.full_clean()
    recours.save(update_fields=["documents_reedites_le"])
    _notify_candidat(recours=recours, etape="nouvelle_decision")
    return recours


def addendum_issue(*, session_id: int, by: User | None) -> Document | None:
    """Issue the addendum to the session's PV from its decided appeals (frozen,
    sealed, verifiable; a new version only when its data changed). None when
    nothing changed or no appeal of the session is decided yet."""
    snapshot = addendum_snapshot(session_id=session_id)
    if not snapshot.recours:
        return None
    return document_issue(
        nature=Document.Nature.ADDENDUM,
        session_id=session_id,
        inscription_id=None,
        snapshot=snapshot,
        by=by,
    )


def addendum_issue_safe(*, session_id: int, by: User | None) -> str | None:
    """``addendum_issue`` after a decision: the reason it could not be issued
    (missing official data…), logged, or None."""
    try:
        addendum_issue(session_id=session_id, by=by)
    except (ValidationError, DocumentsIndisponiblesError) as exc:
        message = " ".join(getattr(exc, "messages", [str(exc)]))
        logger.warning("Addendum de la session %s non émis : %s", session_id, message)
        return message
    return None


# --- E-mails ----------------------------------------------------------------------


def _contexte(recours: Recours) -> dict[str, Any]:
    inscription = recours.inscription
    return {
        "prenom": inscription.candidat.prenom1,
        "reference": recours.reference,
        "depose_le": timezone.localtime(recours.depose_le),
        "session": inscription.session.nom,
        "url": absolute_url(
            reverse("evaluations:resultat", kwargs={"pk": inscription.pk})
        ),
    }


def _notify_candidat(*, recours: Recours, etape: str) -> None:
    """The candidate's e-mail of one step (``recours_<etape>`` templates), once
    per appeal and step."""
    contexte = _contexte(recours)
    if etape == "decision":
        contexte.update(
            issue=recours.issue,
            issue_libelle=recours.get_issue_display(),
            motif=recours.motif_decision,
        )
    elif etape == "nouvelle_decision":
        contexte["phrase"] = _phrase(recours.inscription_id)
    user = recours.inscription.candidat.user
    message_send(
        gabarit=f"recours_{etape}",
        destinataire=user.email,
        contexte=contexte,
        utilisateur=user,
        cle=f"recours:{recours.pk}:{etape}",
    )


def _phrase(inscription_id: int) -> str:
    try:
        return phrase_decision(lettre_snapshot(inscription_id=inscription_id).releve)
    except (DocumentsIndisponiblesError, ValueError):
        return ""


def _notify_depot(*, recours: Recours) -> None:
    """Filed: the candidate's acknowledgement (reference and date), and a notice
    to every active administrator and to the session's president (unless in
    conflict with the candidate), once each."""
    _notify_candidat(recours=recours, etape="depose")
    inscription = recours.inscription
    destinataires = {
        user.pk: user
        for user in User.objects.filter(
            groups__name=Role.ADMINISTRATEUR, is_active=True
        ).order_by("pk")
    }
    for membre in (
        MembreJury.objects.filter(
            session_id=inscription.session_id,
            role=MembreJury.Role.PRESIDENT,
            user__is_active=True,
        )
        .exclude(
            pk__in=ConflitInterets.objects.filter(inscription=inscription).values(
                "membre_id"
            )
        )
        .select_related("user")
    ):
        destinataires.setdefault(membre.user.pk, membre.user)
    contexte = {
        "reference": recours.reference,
        "depose_le": timezone.localtime(recours.depose_le),
        "candidat": inscription.candidat.nom_complet,
        "session": inscription.session.nom,
        "nb_pieces": recours.pieces.count(),
        "url": absolute_url(recours.get_absolute_url()),
    }
    for user in destinataires.values():
        message_send(
            gabarit="recours_signale",
            destinataire=user.email,
            contexte=contexte,
            utilisateur=user,
            cle=f"recours:{recours.pk}:signale:{user.pk}",
        )
