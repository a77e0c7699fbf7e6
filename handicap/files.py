"""Checks of an uploaded supporting document: the platform's one upload checker
(``certif.uploads``, formats ``PIECES``: a PDF or a scan), plus the SHA-256 and
size recorded with the document."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from certif.uploads import PIECES, trop_volumineux, upload_check

HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FichierVerifie:
    nom_original: str
    taille: int
    sha256: str
    type_mime: str


def fichier_verifier(upload: UploadedFile[bytes]) -> FichierVerifie:
    """Validate one upload; raise ValidationError with a French message naming the
    file. Reads the file once to hash it; leaves it rewound."""
    controle = upload_check(nom=upload.name or "", fichier=upload, formats=PIECES)
    upload.seek(0)
    digest = hashlib.sha256()
    taille = 0
    for chunk in iter(lambda: upload.read(HASH_CHUNK), b""):
        digest.update(chunk)
        taille += len(chunk)
    upload.seek(0)
    if taille > settings.UPLOAD_MAX_BYTES:  # the declared size may lie
        raise ValidationError(trop_volumineux())
    return FichierVerifie(controle.nom, taille, digest.hexdigest(), controle.type_mime)
