"""Deliverable download, only through a permission check."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.views.decorators.http import require_GET

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from evaluations.access import get_livrable_for


@require_GET
@login_required
@role_required()
def livrable_download_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Sent as an attachment; ``?inline=1`` shows a PDF in the browser."""
    livrable = get_livrable_for(request.user, pk)
    inline = (
        request.GET.get("inline") == "1" and livrable.type_mime == "application/pdf"
    )
    response = FileResponse(
        livrable.fichier.open("rb"),
        as_attachment=not inline,
        filename=livrable.nom_original,
        content_type=livrable.type_mime,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
