"""The one way private files leave the platform: deposits, supporting documents,
issued documents, archives and rendered files. Every response is an attachment
(unless asked inline), typed (``nosniff``), and never cached by a browser or a
proxy (``private, no-store``): these files hold personal data."""

import io

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from certif.pdf import RenderedFile


def _private(response: FileResponse) -> FileResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def private_file_response(
    fichier: FieldFile,
    *,
    filename: str,
    content_type: str | None = None,
    inline: bool = False,
) -> FileResponse:
    """Send a stored file after the caller's permission check."""
    return _private(
        FileResponse(
            fichier.open("rb"),
            as_attachment=not inline,
            filename=filename,
            content_type=content_type,
        )
    )


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
