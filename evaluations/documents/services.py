"""Writes of the documents area: issuing a document (a new version when its data
changed, nothing when it did not), revoking an award, and the bookkeeping of a
session's emission (progress, failures, ZIP archive).

Rendering a PDF takes a noticeable time, so it never happens inside a database
transaction: ``document_issue`` renders first, then records the file in a short
atomic block that re-checks the latest version under a row lock, so that two
workers issuing the same document cannot create two versions."""

import hashlib
import logging
import tempfile
import zipfile
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from certif.messages import message_send
from certif.models import User
from certif.pdf import RenderedFile
from certif.sceau import seal_pdf
from certif.uploads import SCAN_PDF, upload_check
from evaluations.documents import renderers
from evaluations.documents.models import Document, EmissionSession, new_document_code
from evaluations.documents.selectors import (
    current_documents_of_session,
    documents_officiels_manquants,
    emission_blocker,
    locked_inscription_ids,
    manquants_message,
)
from evaluations.documents.snapshots import (
    inscription_snapshots,
    pv_snapshot,
    snapshot_to_json,
)
from evaluations.resultats.models import PublicationResultats
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Certificateur

logger = logging.getLogger(__name__)


# An emission whose progress has not moved for this long is considered dead (its
# worker was stopped): a new run may start.
EMISSION_STALE_AFTER = timedelta(minutes=10)


def verification_url(code: str) -> str:
    """The public URL printed under the QR code of an award."""
    path = reverse("evaluations:verification_code", kwargs={"code": code})
    return f"{settings.SITE_URL}{path}"


def _read(fichier: Any) -> bytes:
    if not fichier:
        return b""
    with fichier.open("rb") as handle:
        content: bytes = handle.read()
    return content


def visuels_of(certificateur: Certificateur | None) -> renderers.Visuels:
    """The certifier's logo and signature, ready to embed."""
    if certificateur is None:
        return renderers.Visuels()
    return renderers.Visuels(
        logo=_read(certificateur.logo), signature=_read(certificateur.signature)
    )


def _render(
    nature: str,
    snapshot: Any,
    *,
    code: str,
    emis_le: datetime,
    visuels: renderers.Visuels,
) -> RenderedFile:
    # Look the renderers up on their module at call time (tests replace one).
    if nature == Document.Nature.PARCHEMIN:
        rendered = renderers.parchemin_pdf(
            snapshot,
            code=code,
            url=verification_url(code),
            emis_le=emis_le,
            visuels=visuels,
        )
    elif nature == Document.Nature.ATTESTATION:
        rendered = renderers.attestation_pdf(
            snapshot,
            code=code,
            url=verification_url(code),
            emis_le=emis_le,
            visuels=visuels,
        )
    elif nature == Document.Nature.LETTRE:
        rendered = renderers.lettre_pdf(
            snapshot,
            code=code,
            url=verification_url(code),
            emis_le=emis_le,
            visuels=visuels,
        )
    elif nature == Document.Nature.RELEVE:
        rendered = renderers.releve_pdf(
            snapshot, code=code, emis_le=emis_le, visuels=visuels
        )
    elif nature == Document.Nature.ADDENDUM:
        rendered = renderers.addendum_pdf(
            snapshot, code=code, emis_le=emis_le, visuels=visuels
        )
    else:
        rendered = renderers.pv_pdf(
            snapshot, code=code, emis_le=emis_le, visuels=visuels
        )
    return rendered


def _latest(
    nature: str, *, session_id: int, inscription_id: int | None
) -> Document | None:
    queryset = Document.objects.filter(nature=nature)
    if inscription_id is not None:
        queryset = queryset.filter(inscription_id=inscription_id)
    else:
        queryset = queryset.filter(session_id=session_id, inscription__isnull=True)
    return queryset.order_by("-version").first()


def _up_to_date(latest: Document | None, data: dict[str, Any]) -> bool:
    """Nothing to issue when the latest version has the same data and is valid, or
    was revoked by a person (an administrator's revocation stands). A version the
    platform itself revoked (``revoque_par`` empty: the decision no longer
    supported it) is issued again if the decision supports it again."""
    return (
        latest is not None
        and latest.snapshot == data
        and (latest.est_valide or latest.revoque_par_id is not None)
    )


def document_issue(
    *,
    nature: str,
    session_id: int,
    inscription_id: int | None,
    snapshot: Any,
    by: User | None,
    emission: EmissionSession | None = None,
    reissue_of: Document | None = None,
    motif: str = "",
) -> Document | None:
    """Issue the document for ``snapshot`` unless its latest version was rendered
    from exactly the same data (then return None: nothing to do, whether that
    version is valid or was revoked by an administrator). A changed snapshot makes
    the next version and revokes the previous one ("remplacé par la version N").
    ``reissue_of`` (« Rééditer ») issues anyway, as long as that document is still
    the latest version, and revokes it with ``motif``."""
    data = snapshot_to_json(snapshot)
    latest = _latest(nature, session_id=session_id, inscription_id=inscription_id)
    if reissue_of is None and _up_to_date(latest, data):
        return None
    session = Session.objects.select_related(
        "referentiel__certification__certificateur"
    ).get(pk=session_id)
    manquants = documents_officiels_manquants(
        certification_id=session.referentiel.certification_id
    )
    if manquants:
        raise ValidationError(manquants_message(manquants))
    code = new_document_code()
    emis_le = timezone.now()
    certificateur = session.referentiel.certification.certificateur
    rendered = _render(
        nature,
        snapshot,
        code=code,
        emis_le=emis_le,
        visuels=visuels_of(certificateur),
    )
    rendered = RenderedFile(
        rendered.filename,
        rendered.content_type,
        seal_pdf(
            rendered.content,
            reason=_("Document émis par %(nom)s")
            % {"nom": certificateur.raison_sociale}
            if certificateur
            else _("Document émis"),
            location=certificateur.ville if certificateur else "",
        ),
    )
    return _document_record(
        nature=nature,
        session_id=session_id,
        inscription_id=inscription_id,
        data=data,
        rendered=rendered,
        code=code,
        emis_le=emis_le,
        by=by,
        emission=emission,
        reissue_of=reissue_of,
        motif=motif,
    )


@transaction.atomic
def _document_record(
    *,
    nature: str,
    session_id: int,
    inscription_id: int | None,
    data: dict[str, Any],
    rendered: RenderedFile,
    code: str,
    emis_le: datetime,
    by: User | None,
    emission: EmissionSession | None,
    reissue_of: Document | None = None,
    motif: str = "",
) -> Document | None:
    # Serialise the issuing of one enrolment's (or one session's PV) documents.
    if inscription_id is not None:
        list(Inscription.objects.select_for_update().filter(pk=inscription_id))
    else:
        list(Session.objects.select_for_update().filter(pk=session_id))
    latest = _latest(nature, session_id=session_id, inscription_id=inscription_id)
    if reissue_of is not None:
        if latest is None or latest.pk != reissue_of.pk:
            raise ValidationError(
                _("Ce document a déjà été remplacé par une version plus récente.")
            )
    elif _up_to_date(latest, data):
        return None
    version = latest.version + 1 if latest is not None else 1
    if latest is not None and latest.statut == Document.Statut.VALIDE:
        latest.statut = Document.Statut.REVOQUE
        latest.revoque_le = emis_le
        latest.revoque_par = by
        remplace = _("Remplacé par la version %(version)d.") % {"version": version}
        latest.motif_revocation = f"{remplace} {motif}" if motif else remplace
        latest.full_clean()
        latest.save(
            update_fields=["statut", "revoque_le", "revoque_par", "motif_revocation"]
        )
    document = Document(
        nature=nature,
        session_id=session_id,
        inscription_id=inscription_id,
        code=code,
        version=version,
        remplace=latest,
        nom_fichier=rendered.filename,
        sha256=hashlib.sha256(rendered.content).hexdigest(),
        snapshot=data,
        emis_le=emis_le,
        emis_par=by,
        emission=emission,
    )
    document.fichier.save(rendered.filename, ContentFile(rendered.content), save=False)
    document.full_clean()
    document.save()
    return document


def inscription_documents_issue(
    *,
    inscription_id: int,
    by: User | None,
    emission: EmissionSession | None = None,
    notify: bool = True,
) -> list[Document]:
    """Issue what an enrolment's locked deliberation entitles it to (relevé, and
    parchemin or attestation), revoke an award the decision no longer supports,
    and tell the candidate by e-mail when something new was issued, once the
    results of the session are published (before, the candidate sees none of it:
    the result e-mail of the publication tells them; the publication itself
    passes ``notify=False``). Returns the documents issued now (empty when
    everything was already up to date)."""
    inscription = Inscription.objects.select_related("candidat__user").get(
        pk=inscription_id
    )
    snapshots = inscription_snapshots(inscription_id=inscription_id).by_nature()
    issued: list[Document] = []
    for nature, snapshot in snapshots.items():
        document = document_issue(
            nature=nature,
            session_id=inscription.session_id,
            inscription_id=inscription_id,
            snapshot=snapshot,
            by=by,
            emission=emission,
        )
        if document is not None:
            issued.append(document)
    for stale in Document.objects.filter(
        inscription_id=inscription_id,
        nature__in=Document.AWARDS,
        statut=Document.Statut.VALIDE,
    ).exclude(nature__in=list(snapshots)):
        document_revoke(
            document=stale,
            by=None,  # the platform, not a person: see _up_to_date
            motif=_("La décision du jury ne justifie plus ce document."),
        )
    if issued and notify and _resultats_publies(session_id=inscription.session_id):
        _notify_candidate(inscription=inscription, documents=issued)
    return issued


def _resultats_publies(*, session_id: int) -> bool:
    return PublicationResultats.objects.filter(
        session_id=session_id, publiee_le__isnull=False
    ).exists()


def document_reissue(*, document: Document, by: User | None, motif: str) -> Document:
    """« Rééditer »: a new version of ``document`` rendered from fresh data (the
    current snapshot classes, certifier and templates), the old one revoked with
    ``motif``; the holder is told by e-mail. Refused when the document is no
    longer the latest version or the enrolment no longer entitles to it."""
    motif = motif.strip()
    if not motif:
        raise ValidationError({"motif": _("Indiquez le motif de la réédition.")})
    if document.nature == Document.Nature.LETTRE:
        raise ValidationError(
            _(
                "Une lettre de résultat est émise par la publication des résultats "
                "de la session : relancez la publication pour l'émettre de nouveau."
            )
        )
    if document.nature == Document.Nature.ADDENDUM:
        raise ValidationError(
            _(
                "L'addendum au procès-verbal est émis depuis la page des recours "
                "de la session : émettez-le de nouveau depuis cette page."
            )
        )
    if document.nature == Document.Nature.PV:
        snapshot: Any = pv_snapshot(session_id=document.session_id)
    else:
        assert document.inscription_id is not None  # noqa: S101 - constraint
        snapshot = (
            inscription_snapshots(inscription_id=document.inscription_id)
            .by_nature()
            .get(document.nature)
        )
        if snapshot is None:
            raise ValidationError(
                _("La décision du jury ne justifie plus ce document : révoquez-le.")
            )
    new = document_issue(
        nature=document.nature,
        session_id=document.session_id,
        inscription_id=document.inscription_id,
        snapshot=snapshot,
        by=by,
        reissue_of=document,
        motif=motif,
    )
    assert new is not None  # noqa: S101 - a re-issue always issues
    if new.inscription_id is not None and _resultats_publies(session_id=new.session_id):
        inscription = Inscription.objects.select_related(
            "candidat__user", "session"
        ).get(pk=new.inscription_id)
        _notify_candidate(inscription=inscription, documents=[new])
    return new


def pv_issue(
    *, session_id: int, by: User | None, emission: EmissionSession | None = None
) -> Document | None:
    """Issue the session's PV (a new version only when its data changed)."""
    return document_issue(
        nature=Document.Nature.PV,
        session_id=session_id,
        inscription_id=None,
        snapshot=pv_snapshot(session_id=session_id),
        by=by,
        emission=emission,
    )


def _notify_candidate(*, inscription: Inscription, documents: list[Document]) -> None:
    """Tell the candidate their new documents are ready (template
    ``emails/documents_disponibles/``). A failure is logged: the documents are
    issued, and that must not be undone nor failed."""
    candidat = inscription.candidat
    try:
        message_send(
            gabarit="documents_disponibles",
            destinataire=candidat.user.email,
            utilisateur=candidat.user,
            contexte={
                "prenom": candidat.prenom1,
                "session": inscription.session.nom,
                "documents": [
                    {
                        "nature": document.get_nature_display(),
                        "version": document.version,
                    }
                    for document in documents
                ],
            },
            cle="documents:" + ",".join(str(document.pk) for document in documents),
        )
    except Exception:
        logger.exception("Envoi du courriel au candidat %s impossible", candidat.pk)


@transaction.atomic
def document_revoke(*, document: Document, by: User | None, motif: str) -> Document:
    """Revoke an issued document with a reason; the verification page then says
    so. A revoked document stays revoked."""
    motif = motif.strip()
    if not motif:
        raise ValidationError(
            {"motif_revocation": _("Indiquez le motif de la révocation.")}
        )
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.statut == Document.Statut.REVOQUE:
        raise ValidationError(_("Ce document est déjà révoqué."))
    document.statut = Document.Statut.REVOQUE
    document.revoque_le = timezone.now()
    document.revoque_par = by
    document.motif_revocation = motif
    document.full_clean()
    document.save(
        update_fields=["statut", "revoque_le", "revoque_par", "motif_revocation"]
    )
    return document


@transaction.atomic
def pv_scan_attach(*, document: Document, fichier: Any, by: User) -> Document:
    """Attach the scan of the PV signed by the members present to the PV's record
    (a PDF, read in its content). A new scan replaces the previous one; who and
    when are kept."""
    if document.nature != Document.Nature.PV:
        raise ValidationError(_("Seul un procès-verbal reçoit un scan signé."))
    controle = upload_check(nom=fichier.name, fichier=fichier, formats=SCAN_PDF)
    fichier.seek(0)
    document = Document.objects.select_for_update().get(pk=document.pk)
    document.scan_signe.save(controle.nom, fichier, save=False)
    document.scan_depose_le = timezone.now()
    document.scan_depose_par = by
    document.full_clean()
    document.save(update_fields=["scan_signe", "scan_depose_le", "scan_depose_par"])
    return document


@transaction.atomic
def emission_start(*, session: Session, by: User) -> tuple[EmissionSession, list[int]]:
    """Open a new emission run for the session and return it with the enrolments
    to process (the caller enqueues the tasks). Refused while the deliberations are
    not all locked, or while another run of the same session is progressing."""
    blocker = emission_blocker(session=session)
    if blocker:
        raise ValidationError(blocker)
    list(Session.objects.select_for_update().filter(pk=session.pk))
    if EmissionSession.objects.filter(
        session=session,
        statut__in=[EmissionSession.Statut.EN_COURS, EmissionSession.Statut.ARCHIVAGE],
        modifiee_le__gte=timezone.now() - EMISSION_STALE_AFTER,
    ).exists():
        raise ValidationError(
            _(
                "Une émission est déjà en cours pour cette session : suivez sa progression."
            )
        )
    inscription_ids = locked_inscription_ids(session=session)
    emission = EmissionSession(
        session=session, lancee_par=by, total=len(inscription_ids) + 1
    )
    emission.full_clean()
    emission.save()
    return emission, inscription_ids


@transaction.atomic
def emission_progress(
    *, emission_id: int, unite: str, echec: dict[str, Any] | None
) -> bool:
    """Count one processed unit (done, or failed with its reason), once: a unit
    counted already (its task ran again after its worker died) changes nothing.
    Returns True for the unit that completes the run: its caller starts the
    archive."""
    emission = EmissionSession.objects.select_for_update().get(pk=emission_id)
    if unite in emission.unites:
        return False
    emission.unites = [*emission.unites, unite]
    if echec is None:
        emission.faits += 1
    else:
        emission.echecs = [*emission.echecs, echec]
    last = (
        emission.traites >= emission.total
        and emission.statut == EmissionSession.Statut.EN_COURS
    )
    if last:
        emission.statut = EmissionSession.Statut.ARCHIVAGE
    emission.save(update_fields=["unites", "faits", "echecs", "statut", "modifiee_le"])
    return last


def emission_unit_failure(*, inscription_id: int | None, motif: str) -> dict[str, Any]:
    """The record of a failed unit, as listed on the progress page."""
    if inscription_id is None:
        candidat = _("Procès-verbal de la session")
    else:
        inscription = (
            Inscription.objects.select_related("candidat")
            .filter(pk=inscription_id)
            .first()
        )
        candidat = inscription.candidat.nom_complet if inscription else "?"
    return {"inscription_id": inscription_id, "candidat": candidat, "motif": motif}


def emission_archive_build(*, emission_id: int) -> EmissionSession:
    """Write the ZIP of the session's current documents and close the run. The
    archive is written to a temporary file (never all in memory). Does nothing
    for a run already closed (the task ran again)."""
    emission = EmissionSession.objects.select_related("session").get(pk=emission_id)
    if emission.statut != EmissionSession.Statut.ARCHIVAGE:
        return emission
    racine = slugify(emission.session.nom) or f"session-{emission.session_id}"
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
            for document in current_documents_of_session(
                session_id=emission.session_id
            ).iterator(chunk_size=200):
                inscription = document.inscription
                if inscription is None:
                    dossier = racine
                else:
                    candidat = inscription.candidat
                    nom = slugify(f"{candidat.nom_naissance} {candidat.prenom1}")
                    dossier = f"{racine}/{nom}-{document.inscription_id}"
                with document.fichier.open("rb") as source:
                    archive.writestr(f"{dossier}/{document.nom_fichier}", source.read())
        handle.seek(0)
        return _emission_close(emission=emission, archive=File(handle, name="a.zip"))


@transaction.atomic
def _emission_close(
    *, emission: EmissionSession, archive: File[bytes]
) -> EmissionSession:
    emission = EmissionSession.objects.select_for_update().get(pk=emission.pk)
    if emission.statut != EmissionSession.Statut.ARCHIVAGE:
        return emission
    emission.archive.save(f"{slugify(emission.session.nom)}.zip", archive, save=False)
    emission.statut = (
        EmissionSession.Statut.TERMINEE_AVEC_ECHECS
        if emission.echecs
        else EmissionSession.Statut.TERMINEE
    )
    emission.terminee_le = timezone.now()
    emission.full_clean()
    emission.save()
    return emission
