import io

from django.http import FileResponse

from certif.pdf import RenderedFile


def rendered_file_response(
    rendered: RenderedFile, *, as_attachment: bool = True
) -> FileResponse:
    """Send a rendered document; ``nosniff`` so that browsers trust the type."""
    response = FileResponse(
        io.BytesIO(rendered.content),
        as_attachment=as_attachment,
        filename=rendered.filename,
        content_type=rendered.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
