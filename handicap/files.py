"""Checks of an uploaded supporting document: the same rules as deliverables (type
by magic bytes, never the client's content type; the size limit; the file name
rules of ``evaluations.services.livrables.sanitise_name``).

The deliverables' type check is not reused: a supporting document is a PDF or a
scan (JPEG, PNG), not an office file, so the accepted types differ."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from evaluations.livrables.services import sanitise_name

# Extension → MIME type detected from the content. A supporting document is a
# certificate or a report: PDF or a photo/scan of it.
TYPES_ACCEPTES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


@dataclass(frozen=True)
class FichierVerifie:
    nom_original: str
    taille: int
    sha256: str
    type_mime: str


def fichier_verifier(upload: UploadedFile[bytes]) -> FichierVerifie:
    """Validate one upload; raise ValidationError with a French message naming the
    file. Reads the file once to hash it; leaves it rewound."""
    nom = sanitise_name(upload.name or "")
    taille = upload.size or 0
    if taille == 0:
        raise ValidationError(_("Le fichier « %(nom)s » est vide.") % {"nom": nom})
    if taille > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("Le fichier « %(nom)s » dépasse la taille maximale de %(max)s.")
            % {"nom": nom, "max": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        )
    extension = PurePosixPath(nom).suffix.lower()
    attendu = TYPES_ACCEPTES.get(extension)
    upload.seek(0)
    head = upload.read(2048)
    detecte = filetype.guess_mime(head)
    if attendu is None or detecte != attendu:
        raise ValidationError(
            _(
                "Le fichier « %(nom)s » n'est pas accepté : déposez un PDF, un JPEG "
                "ou un PNG (le contenu du fichier doit correspondre à son extension)."
            )
            % {"nom": nom}
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return FichierVerifie(nom, taille, digest.hexdigest(), detecte)
