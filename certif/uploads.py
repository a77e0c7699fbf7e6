"""The one checker of uploaded files, for every app: a safe display name, the size
limit (``UPLOAD_MAX_BYTES``), the type read from the content (magic bytes, and the
members of a ZIP-based office document), never the client's content type or the
extension alone, and for an office document the total uncompressed size its ZIP
declares (``UPLOAD_ZIP_MAX_DECOMPRESSE``). Each app states which ``Formats`` it
accepts."""

import hashlib
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from certif.formats import taille_lisible

NAME_MAX_LENGTH = 150
HEAD_BYTES = 8192


@dataclass(frozen=True)
class Formats:
    """Accepted extensions with the MIME type their content must have, and how a
    message names them (« PDF, DOCX … »)."""

    types: Mapping[str, str]
    libelle: str

    def accepte(self) -> str:
        """The ``accept`` attribute of a file input."""
        return ",".join(sorted(set(self.types) | set(self.types.values())))


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Deliverables: PDF and office documents.
BUREAUTIQUE = Formats(
    {
        ".pdf": "application/pdf",
        ".docx": _DOCX,
        ".xlsx": _XLSX,
        ".pptx": _PPTX,
        ".odt": "application/vnd.oasis.opendocument.text",
        ".ods": "application/vnd.oasis.opendocument.spreadsheet",
        ".odp": "application/vnd.oasis.opendocument.presentation",
    },
    "PDF, DOCX, ODT, PPTX, ODP, XLSX, ODS",
)

# Supporting documents of a disability request: a certificate or a report, as a
# PDF or a photo or scan of it.
PIECES = Formats(
    {
        ".pdf": "application/pdf",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
    },
    "PDF, JPEG, PNG",
)

# The signed scan of a PV.
SCAN_PDF = Formats({".pdf": "application/pdf"}, "PDF")

# The certifier's logo and signature, printed on every document.
IMAGES = Formats(
    {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"},
    "PNG, JPEG",
)

# Office documents that are ZIP packages (OpenDocument and Office Open XML).
_ZIP_TYPES = frozenset(
    {
        _DOCX,
        _XLSX,
        _PPTX,
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)

# Directory prefix inside an Office Open XML package → its type.
_OOXML_PARTS = {"word/": _DOCX, "xl/": _XLSX, "ppt/": _PPTX}


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


def _zip_type(stream: IO[bytes], formats: Formats) -> str | None:
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
                return mimetype if mimetype in formats.types.values() else None
            if "[Content_Types].xml" in names:
                for prefix, mime in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return mime if mime in formats.types.values() else None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        stream.seek(0)
    return None


def detect_type(stream: IO[bytes], formats: Formats) -> str | None:
    """The MIME type from the content (magic bytes), ``None`` when it is not one
    of ``formats``."""
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    if mime in formats.types.values():
        return mime
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(stream, formats)
    return None


def zip_declared_size(stream: IO[bytes]) -> int:
    """The total uncompressed size a ZIP declares in its directory (nothing is
    inflated); 0 when the stream is not a readable ZIP."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0
    finally:
        stream.seek(0)


def trop_volumineux(limit: int | None = None) -> str:
    return _("Le fichier dépasse la taille maximale de %(taille)s.") % {
        "taille": taille_lisible(limit or settings.UPLOAD_MAX_BYTES)
    }


@dataclass(frozen=True)
class FichierControle:
    """An upload that passed the checks: its safe name and detected type."""

    nom: str
    type_mime: str


def upload_check(*, nom: str, fichier: Any, formats: Formats) -> FichierControle:
    """Check one upload before it is stored: name, declared size, extension, and
    the type read from the content. Raise ValidationError with a French message
    naming the file. The stored size is checked again while streaming
    (``HashingFile``)."""
    nom = sanitise_name(nom)
    size = getattr(fichier, "size", None)
    if size == 0:
        raise ValidationError(_("Le fichier « %(nom)s » est vide.") % {"nom": nom})
    if size is not None and size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(trop_volumineux())
    extension = PurePosixPath(nom).suffix.lower()
    if extension not in formats.types:
        raise ValidationError(
            _("Format non accepté (« %(nom)s ») : déposez un fichier %(formats)s.")
            % {"nom": nom, "formats": formats.libelle}
        )
    mime = detect_type(fichier, formats)
    if mime is None:
        raise ValidationError(
            _(
                "Le contenu de « %(nom)s » n'est pas un document %(formats)s : "
                "fichier refusé."
            )
            % {"nom": nom, "formats": formats.libelle}
        )
    if mime in _ZIP_TYPES:
        declared = zip_declared_size(fichier)
        if declared > settings.UPLOAD_ZIP_MAX_DECOMPRESSE:
            raise ValidationError(
                _(
                    "« %(nom)s » se décompresse en plus de %(taille)s : ce n'est pas "
                    "un document ordinaire, fichier refusé."
                )
                % {
                    "nom": nom,
                    "taille": taille_lisible(settings.UPLOAD_ZIP_MAX_DECOMPRESSE),
                }
            )
    if mime != formats.types[extension]:
        detected = next(ext for ext, value in formats.types.items() if value == mime)
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
    return FichierControle(nom, mime)


class HashingFile(File[bytes]):
    """Streams an upload into storage while computing its SHA-256 and size,
    refusing it as soon as it grows past the limit.

    A file-system storage pulls ``chunks()``; an object storage (S3) calls
    ``read()`` and may seek back and read again (retries, size probes): every
    byte is hashed once, in order, up to the furthest point read (``read_size``),
    whatever the order of the reads."""

    def __init__(self, file: Any, limit: int | None = None) -> None:
        super().__init__(file, getattr(file, "name", None))
        self.source = file  # an upload (chunks) or a binary stream (read)
        self.digest = hashlib.sha256()
        self.read_size = 0
        self.limit = limit or settings.UPLOAD_MAX_BYTES

    def _account(self, start: int, data: bytes) -> None:
        """Hash the part of ``data`` (found at offset ``start``) past what is
        already hashed."""
        end = start + len(data)
        if end <= self.read_size:
            return
        fresh = data[self.read_size - start :]
        self.read_size = end
        if self.read_size > self.limit:
            raise ValidationError(trop_volumineux(self.limit))
        self.digest.update(fresh)

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        self.source.seek(0)
        position = 0
        for chunk in (
            self.source.chunks(chunk_size)
            if hasattr(self.source, "chunks")
            else iter(lambda: self.source.read(chunk_size or 64 * 1024), b"")
        ):
            self._account(position, chunk)
            position += len(chunk)
            yield chunk

    def read(self, size: int | None = -1) -> bytes:
        position = self.source.tell()
        if position > self.read_size:
            # A reader that skipped ahead: hash the bytes it jumped over first.
            self.source.seek(self.read_size)
            self._account(self.read_size, self.source.read(position - self.read_size))
        data: bytes = self.source.read(-1 if size is None else size)
        self._account(position, data)
        return data
