"""Pages of the documents area: a candidate's own documents, downloads, and the
administrator's emission of a session's documents (launch, progress, ZIP) and
revocation of an award.

The two small forms live here rather than in a shared forms module, which other
areas of the app are building at the same time."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.roles import Role
from evaluations.selectors.documents import (
    document_snapshot,
    documents_of_candidate,
    documents_of_session,
    emission_blocker,
    emissions_of_session,
    get_distinction_for_admin,
    get_document_for,
    get_emission_for,
    get_session_for_emission,
    sessions_for_emission,
)
from evaluations.services.documents import document_revoke
from evaluations.tasks import emission_launch

PAGE_SIZE = 25


class RevocationForm(forms.Form):
    motif = forms.CharField(
        label=gettext_lazy("Motif de la révocation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": gettext_lazy("Indiquez le motif de la révocation.")
        },
    )


def _file_response(document_file: object, filename: str) -> FileResponse:
    response = FileResponse(
        document_file,
        as_attachment=True,
        filename=filename,
        content_type="application/pdf" if filename.endswith(".pdf") else None,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
@role_required(Role.CANDIDAT)
def documents_mine_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(documents_of_candidate(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "evaluations/documents/mes_documents.html", {"page": page})


@require_GET
@login_required
@role_required()
def document_download_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    document = get_document_for(request.user, pk)
    return _file_response(document.fichier.open("rb"), document.nom_fichier)


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def document_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = get_distinction_for_admin(request.user, pk)
    form = RevocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and document.est_valide:
        try:
            document_revoke(
                document=document, by=request.user, motif=form.cleaned_data["motif"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Le document %(code)s est révoqué.")
                % {"code": document.code_affiche},
            )
            return redirect("evaluations:emission_session", pk=document.session_id)
    return render(
        request,
        "evaluations/documents/revoquer.html",
        {
            "document": document,
            "snapshot": document_snapshot(document),
            "form": form,
        },
    )


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def emission_sessions_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(sessions_for_emission(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "evaluations/documents/sessions.html", {"page": page})


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def emission_session_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_emission(request.user, pk)
    page = Paginator(documents_of_session(session=session), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluations/documents/session.html",
        {
            "session": session,
            "blocker": emission_blocker(session=session),
            "emissions": emissions_of_session(session=session)[:5],
            "page": page,
        },
    )


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def emission_launch_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_emission(request.user, pk)
    try:
        emission = emission_launch(session=session, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evaluations:emission_session", pk=session.pk)
    messages.success(
        request,
        _("L'émission des documents est lancée : elle se poursuit en arrière-plan."),
    )
    return redirect(emission)


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def emission_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    emission = get_emission_for(request.user, pk)
    template = "evaluations/documents/emission.html"
    if request.headers.get("HX-Request") == "true":
        template += "#progression"
    return render(request, template, {"emission": emission})


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def emission_archive_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    emission = get_emission_for(request.user, pk)
    if not emission.archive:
        raise Http404
    response = FileResponse(
        emission.archive.open("rb"),
        as_attachment=True,
        filename=f"documents-session-{emission.session_id}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
