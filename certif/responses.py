"""The one way private files leave the platform: deposits, supporting documents,
issued documents, archives and rendered files. Every response is an attachment
(unless asked inline), typed (``nosniff``), and never cached by a browser or a
proxy (``private, no-store``): these files hold personal data.

Behind nginx (``X_ACCEL_REDIRECT_PREFIX`` set), a stored file does not go through
Python: after the caller's permission check, the response carries the file's
place in an ``internal`` nginx location (``X-Accel-Redirect``) and an empty body,
and nginx sends the file (``deploy/nginx/certif-locations.conf``). Without it
(``make run``, tests), Django streams the file itself."""

import io
import mimetypes
from typing import TypeVar
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from certif.pdf import RenderedFile

R = TypeVar("R", bound=HttpResponseBase)


def _private(response: R) -> R:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def x_accel_redirect_uri(fichier: FieldFile) -> str | None:
    """The internal nginx URI of a stored file, or None when Django must send it
    (no prefix configured, or a storage that is not the local file system)."""
    prefix = settings.X_ACCEL_REDIRECT_PREFIX
    if not prefix or not isinstance(fichier.storage, FileSystemStorage):
        return None
    return prefix.rstrip("/") + "/" + quote(str(fichier.name), safe="/")


def private_file_response(
    fichier: FieldFile,
    *,
    filename: str,
    content_type: str | None = None,
    inline: bool = False,
) -> HttpResponseBase:
    """Send a stored file after the caller's permission check: handed to nginx
    when it fronts the site, streamed by Django otherwise."""
    uri = x_accel_redirect_uri(fichier)
    if uri is None:
        return _private(
            FileResponse(
                fichier.open("rb"),
                as_attachment=not inline,
                filename=filename,
                content_type=content_type,
            )
        )
    response = HttpResponse(
        b"",
        content_type=content_type
        or mimetypes.guess_type(filename)[0]
        or "application/octet-stream",
    )
    response["X-Accel-Redirect"] = uri
    disposition = content_disposition_header(not inline, filename)
    if disposition:
        response["Content-Disposition"] = disposition
    return _private(response)


def rendered_file_response(
    rendered: RenderedFile, *, as_attachment: bool = True
) -> FileResponse:
    """Send a document rendered for this request."""
    return _private(
        FileResponse(
            io.BytesIO(rendered.content),
            as_attachment=as_attachment,
            filename=rendered.filename,
            content_type=rendered.content_type,
        )
    )
