from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.responses import rendered_file_response
from referentiel.documents import referentiel_pdf
from referentiel.selectors import get_referentiel_for, referentiels_listed_for


@require_GET
@login_required
@role_required()
def referentiel_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, referentiels_listed_for(user=request.user))
    return render(request, "referentiel/list.html", {"page": page})


@require_GET
@login_required
@role_required()
def referentiel_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referentiel = get_referentiel_for(request.user, pk)
    return render(request, "referentiel/detail.html", {"referentiel": referentiel})


@require_GET
@login_required
@role_required()
def referentiel_pdf_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    return rendered_file_response(
        referentiel_pdf(get_referentiel_for(request.user, pk))
    )
