"""Writes of the deliverables area: upload (checked on content, streamed into
private storage under a random name with its SHA-256) and withdrawal.

Nothing is ever overwritten or deleted by a candidate: a re-upload of a file with
the same name is a new version pointing at the previous one (``remplace``), and a
withdrawn file keeps its row, marked ``retire_le``. On any error, nothing is kept:
no row, and no file on disk."""

import hashlib
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.models import User
from evaluations.livrables.models import Livrable
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Modalite

# Extension → MIME type of the accepted formats.
TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
}


FORMATS = "PDF, DOCX, ODT, PPTX, ODP, XLSX, ODS"


NAME_MAX_LENGTH = 150


HEAD_BYTES = 8192


# Directory prefix inside an Office Open XML package → its type.
OOXML_PARTS = {
    "word/": TYPES[".docx"],
    "xl/": TYPES[".xlsx"],
    "ppt/": TYPES[".pptx"],
}


def depot_ouvert(session: Session) -> bool:
    """Uploads and withdrawals are possible while the session is open and before
    its deadline."""
    return (
        session.statut == Session.Statut.OUVERTE
        and timezone.now() < session.date_limite_depot
    )


def depot_ferme_message(session: Session) -> str:
    if session.statut != Session.Statut.OUVERTE:
        return _(
            "Les dépôts sont fermés : la session est au statut « %(statut)s »."
        ) % {"statut": session.get_statut_display()}
    return _("La date limite de dépôt est passée : le dossier est en lecture seule.")


def sanitise_name(name: str) -> str:
    """The original name, safe to display: refused when it holds a path
    separator or a control character; NFC, trimmed, at most 150 characters (the
    extension kept)."""
    if "/" in name or "\\" in name:
        raise ValidationError(
            _("Le nom du fichier ne doit pas contenir de « / » ni de « \\ ».")
        )
    if any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in name):
        raise ValidationError(
            _("Le nom du fichier contient des caractères de contrôle : renommez-le.")
        )
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not name or name.startswith("."):
        raise ValidationError(_("Le fichier n'a pas de nom : renommez-le."))
    if len(name) > NAME_MAX_LENGTH:
        path = PurePosixPath(name)
        suffix = path.suffix[:10]
        name = path.stem[: NAME_MAX_LENGTH - len(suffix)] + suffix
    return name


def _zip_type(stream: IO[bytes]) -> str | None:
    """The type of a ZIP-based office document, read from its members: the
    ``mimetype`` entry of OpenDocument, the part folders of Office Open XML."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                # A bounded read: the entry is a few dozen bytes in a real file,
                # while a crafted one can inflate to gigabytes (a zip bomb).
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                return mimetype if mimetype in TYPES.values() else None
            if "[Content_Types].xml" in names:
                for prefix, mime in OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return mime
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        stream.seek(0)
    return None


def detect_type(stream: IO[bytes]) -> str | None:
    """The MIME type from the content (magic bytes), ``None`` when not accepted."""
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    if mime in TYPES.values():
        return mime
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(stream)
    return None


class _HashingFile(File[bytes]):
    """Streams the upload into storage while computing its SHA-256 and size,
    refusing it as soon as it grows past the limit."""

    def __init__(self, file: Any, limit: int) -> None:
        super().__init__(file, getattr(file, "name", None))
        self.source = file  # an upload (chunks) or a binary stream (read)
        self.digest = hashlib.sha256()
        self.read_size = 0
        self.limit = limit

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        self.source.seek(0)
        for chunk in (
            self.source.chunks(chunk_size)
            if hasattr(self.source, "chunks")
            else iter(lambda: self.source.read(chunk_size or 64 * 1024), b"")
        ):
            self.read_size += len(chunk)
            if self.read_size > self.limit:
                raise ValidationError(_too_large(self.limit))
            self.digest.update(chunk)
            yield chunk


def _too_large(limit: int) -> str:
    return _("Le fichier dépasse la taille maximale de %(taille)s.") % {
        "taille": filesizeformat(limit)
    }


@dataclass(frozen=True)
class Depot:
    """A file to upload: its stream and the name the browser sent."""

    fichier: Any
    nom: str


def _check(depot: Depot) -> tuple[str, str]:
    """The sanitised name and the detected type, or a ValidationError."""
    nom = sanitise_name(depot.nom)
    size = getattr(depot.fichier, "size", None)
    if size == 0:
        raise ValidationError(_("Le fichier « %(nom)s » est vide.") % {"nom": nom})
    limit = settings.UPLOAD_MAX_BYTES
    if size is not None and size > limit:
        raise ValidationError(_too_large(limit))
    extension = PurePosixPath(nom).suffix.lower()
    if extension not in TYPES:
        raise ValidationError(
            _("Format non accepté (« %(nom)s ») : déposez un fichier %(formats)s.")
            % {"nom": nom, "formats": FORMATS}
        )
    mime = detect_type(depot.fichier)
    if mime is None:
        raise ValidationError(
            _(
                "Le contenu de « %(nom)s » n'est pas un document %(formats)s : "
                "fichier refusé."
            )
            % {"nom": nom, "formats": FORMATS}
        )
    if mime != TYPES[extension]:
        detected = next(ext for ext, value in TYPES.items() if value == mime)
        raise ValidationError(
            _(
                "Le contenu de « %(nom)s » est un fichier %(detecte)s, pas %(attendu)s :"
                " renommez-le avec la bonne extension."
            )
            % {
                "nom": nom,
                "detecte": detected[1:].upper(),
                "attendu": extension[1:].upper(),
            }
        )
    return nom, mime


def check_depot(*, inscription: Inscription, modalite: Modalite) -> None:
    """Refuse an upload outside the open period or outside the candidate's path."""
    if not depot_ouvert(inscription.session):
        raise ValidationError(depot_ferme_message(inscription.session))
    if not inscription.blocs.filter(pk=modalite.competence.activite.bloc_id).exists():
        raise ValidationError(_("Cette modalité ne fait pas partie de votre parcours."))


def livrables_deposer(
    *,
    inscription: Inscription,
    modalite: Modalite,
    depots: Sequence[Depot],
    by: User,
) -> list[Livrable]:
    """Upload one or more files for a modality, all or nothing. A file with the
    same name as a current one becomes its new version."""
    if not depots:
        raise ValidationError(_("Choisissez au moins un fichier."))
    saved: list[str] = []
    try:
        with transaction.atomic():
            # Locked: uploads of one enrolment are serialised, versions stay a chain.
            inscription = (
                Inscription.objects.select_for_update(of=("self",))
                .select_related("session")
                .get(pk=inscription.pk)
            )
            modalite = Modalite.objects.select_related("competence__activite").get(
                pk=modalite.pk
            )
            check_depot(inscription=inscription, modalite=modalite)
            return [
                _deposer_un(
                    inscription=inscription,
                    modalite=modalite,
                    depot=depot,
                    by=by,
                    saved=saved,
                )
                for depot in depots
            ]
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


def _deposer_un(
    *,
    inscription: Inscription,
    modalite: Modalite,
    depot: Depot,
    by: User,
    saved: list[str],
) -> Livrable:
    nom, mime = _check(depot)
    precedent = (
        Livrable.objects.filter(
            inscription=inscription,
            modalite=modalite,
            nom_original__iexact=nom,
            remplace_par__isnull=True,
        )
        .order_by("-version")
        .first()
    )
    livrable = Livrable(
        inscription=inscription,
        modalite=modalite,
        nom_original=nom,
        type_mime=mime,
        version=precedent.version + 1 if precedent else 1,
        remplace=precedent,
        depose_par=by,
    )
    field = Livrable._meta.get_field("fichier")
    name = field.generate_filename(livrable, nom)
    saved.append(name)
    stream = _HashingFile(depot.fichier, settings.UPLOAD_MAX_BYTES)
    stored = default_storage.save(name, stream)
    if stored != name:
        saved.append(stored)
    if stream.read_size == 0:
        raise ValidationError(_("Le fichier « %(nom)s » est vide.") % {"nom": nom})
    livrable.fichier.name = stored
    livrable.taille = stream.read_size
    livrable.sha256 = stream.digest.hexdigest()
    livrable.full_clean()
    livrable.save()
    return livrable


@transaction.atomic
def livrable_retirer(*, livrable: Livrable, by: User) -> Livrable:
    """Mark a file withdrawn (it stays in the history); only while uploads are
    open."""
    livrable = (
        Livrable.objects.select_for_update(of=("self",))
        .select_related("inscription__session")
        .get(pk=livrable.pk)
    )
    if not depot_ouvert(livrable.inscription.session):
        raise ValidationError(depot_ferme_message(livrable.inscription.session))
    if livrable.retire_le is not None:
        raise ValidationError(_("Ce fichier est déjà retiré."))
    livrable.retire_le = timezone.now()
    livrable.retire_par = by
    livrable.full_clean()
    livrable.save(update_fields=["retire_le", "retire_par"])
    return livrable
