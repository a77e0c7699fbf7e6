"""Pages of the documents area: a candidate's own documents, downloads, the
administrator's emission of a session's documents (launch, progress, ZIP) and
revocation of an award, and the public verification page (by code, QR or file)."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.client import client_address
from certif.decorators import role_required
from certif.errors import too_many_requests
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.ratelimit import rate_limit_hit
from certif.responses import private_file_response
from certif.roles import Role
from certif.workers import workers_alive
from evaluations.documents.models import CODE_LENGTH, normalize_code
from evaluations.documents.selectors import (
    distinction_by_code,
    documents_of_candidate,
    documents_of_session,
    emission_blocker,
    emissions_of_session,
    get_distinction_for_admin,
    get_document_for,
    get_document_for_admin,
    get_emission_for,
    get_session_for_emission,
    sessions_for_emission,
    sha256_of_upload,
)
from evaluations.documents.services import (
    document_reissue,
    document_revoke,
    pv_scan_attach,
)
from evaluations.documents.snapshots import document_snapshot
from evaluations.documents.tasks import emission_launch


class RevocationForm(forms.Form):
    motif = forms.CharField(
        label=gettext_lazy("Motif de la révocation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": gettext_lazy("Indiquez le motif de la révocation.")
        },
    )


class ReeditionForm(forms.Form):
    motif = forms.CharField(
        label=gettext_lazy("Motif de la réédition"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "Imprimé sur la page de vérification de l'ancienne version, révoquée."
        ),
        error_messages={"required": gettext_lazy("Indiquez le motif de la réédition.")},
    )


class ScanForm(forms.Form):
    fichier = forms.FileField(
        label=gettext_lazy("Scan du procès-verbal signé (PDF)"),
        error_messages={"required": gettext_lazy("Choisissez le fichier PDF du scan.")},
    )


@require_GET
@login_required
@role_required(Role.CANDIDAT)
def documents_mine_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, documents_of_candidate(user=request.user))
    return render(request, "evaluations/documents/mes_documents.html", {"page": page})


@require_GET
@login_required
@role_required()
def document_download_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    document = get_document_for(request.user, pk)
    return private_file_response(
        document.fichier, filename=document.nom_fichier, content_type="application/pdf"
    )


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def pv_scan_attach_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_admin(request.user, pk)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["fichier"]))
    else:
        try:
            pv_scan_attach(
                document=document, fichier=form.cleaned_data["fichier"], by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Le scan signé est joint au procès-verbal."))
    return redirect("evaluations:emission_session", pk=document.session_id)


@require_GET
@login_required
@role_required()
def pv_scan_download_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    document = get_document_for(request.user, pk)
    if not document.scan_signe:
        raise Http404
    return private_file_response(
        document.scan_signe,
        filename=f"pv-signe-{document.code}.pdf",
        content_type="application/pdf",
    )


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


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def document_reissue_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_admin(request.user, pk)
    form = ReeditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nouveau = document_reissue(
                document=document, by=request.user, motif=form.cleaned_data["motif"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Version %(version)d émise (code %(code)s) ; l'ancienne est révoquée."
                )
                % {"version": nouveau.version, "code": nouveau.code_affiche},
            )
            return redirect("evaluations:emission_session", pk=document.session_id)
    return render(
        request,
        "evaluations/documents/reediter.html",
        {"document": document, "form": form},
    )


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def emission_sessions_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, sessions_for_emission())
    return render(request, "evaluations/documents/sessions.html", {"page": page})


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def emission_session_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_emission(request.user, pk)
    page = paginate(request, documents_of_session(session=session))
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
    return render(
        request,
        template,
        {
            "emission": emission,
            # Said honestly: while no worker lives, nothing progresses.
            "sans_worker": emission.en_cours and not workers_alive().exists(),
        },
    )


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def emission_archive_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    emission = get_emission_for(request.user, pk)
    if not emission.archive:
        raise Http404
    return private_file_response(
        emission.archive,
        filename=f"documents-session-{emission.session_id}.zip",
        content_type="application/zip",
    )


P = ParamSpec("P")

RATE_LIMIT = 30  # accepted requests per client address …


RATE_WINDOW = 60  # … in any window of this many seconds


MAX_PDF_BYTES = 20 * 1024 * 1024


def rate_limited(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Answer 429 (with a French page and the true ``Retry-After``) past
    ``RATE_LIMIT`` accepted requests in the last ``RATE_WINDOW`` seconds from one
    client address (``certif.client``)."""

    @wraps(view)
    def wrapper(
        request: HttpRequest, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        wait = rate_limit_hit(
            f"verification-rl:{client_address(request)}",
            limit=RATE_LIMIT,
            window=RATE_WINDOW,
        )
        if wait:
            return too_many_requests(
                request,
                retry_after=wait,
                template="evaluations/verification/trop_de_requetes.html",
            )
        return view(request, *args, **kwargs)

    return wrapper


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code de vérification"),
        max_length=40,
        help_text=gettext_lazy(
            "16 caractères, imprimés sous le QR code (tirets et espaces facultatifs)."
        ),
        error_messages={
            "required": gettext_lazy("Saisissez le code imprimé sur le document.")
        },
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                gettext_lazy("Un code de vérification compte 16 lettres et chiffres.")
            )
        return code


class FichierForm(forms.Form):
    fichier = forms.FileField(
        label=gettext_lazy("Fichier PDF à comparer"),
        help_text=gettext_lazy(
            "Le fichier n'est pas conservé : seule son empreinte est calculée."
        ),
        error_messages={
            "required": gettext_lazy("Choisissez le fichier PDF à comparer.")
        },
    )

    def clean_fichier(self) -> UploadedFile[bytes]:
        fichier = self.cleaned_data["fichier"]
        if fichier.size > MAX_PDF_BYTES:
            raise forms.ValidationError(
                gettext_lazy(
                    "Ce fichier dépasse 20 Mo : ce n'est pas un document émis ici."
                )
            )
        return fichier


@require_http_methods(["GET", "POST"])
@never_cache
@rate_limited
def verification_form_view(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    form = CodeForm(data if "code" in data else None)
    if form.is_bound and form.is_valid():
        return redirect("evaluations:verification_code", code=form.cleaned_data["code"])
    return render(request, "evaluations/verification/formulaire.html", {"form": form})


@require_http_methods(["GET", "POST"])
@never_cache
@rate_limited
def verification_code_view(request: HttpRequest, code: str) -> HttpResponse:
    try:
        document = distinction_by_code(code=code)
    except Http404:
        return render(
            request,
            "evaluations/verification/introuvable.html",
            {"code": code[:40], "form": CodeForm()},
            status=404,
        )
    if normalize_code(code) != code:
        return redirect("evaluations:verification_code", code=document.code)
    form = FichierForm()
    correspond = None
    if request.method == "POST":
        form = FichierForm(request.POST, request.FILES)
        if form.is_valid():
            correspond = (
                sha256_of_upload(form.cleaned_data["fichier"]) == document.sha256
            )
    return render(
        request,
        "evaluations/verification/document.html",
        {
            "document": document,
            "s": document_snapshot(document),
            "form": form,
            "correspond": correspond,
        },
    )
