"""The public verification of awards (no login): by code typed by hand, by the
QR code's URL, and by comparing a dropped PDF's SHA-256 with the issued file's.

Every page here is rate-limited per client address against the enumeration of
codes: a fixed window in the default cache, which every web process shares (the
database cache, settings.CACHES). Its increment is a read then a write, so two
requests of the same client at the same instant may count once: the limit is
approximate by the number of concurrent requests, never by the number of
processes."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from evaluations.models.documents import CODE_LENGTH, normalize_code
from evaluations.selectors.documents import (
    distinction_by_code,
    document_snapshot,
    sha256_of_upload,
)

RATE_LIMIT = 30  # requests per client address …
RATE_WINDOW = 60  # … per this many seconds
MAX_PDF_BYTES = 20 * 1024 * 1024

View = Callable[..., HttpResponse]


def _client_address(request: HttpRequest) -> str:
    """The client's address. Behind the platform's reverse proxy (``BEHIND_PROXY``
    sets ``SECURE_PROXY_SSL_HEADER``), the last ``X-Forwarded-For`` entry, the one
    the proxy itself appended: the client cannot forge it."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.rsplit(",", 1)[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def rate_limited(view: View) -> View:
    """Answer 429 (with a French page) past ``RATE_LIMIT`` requests per window."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = f"verification-rl:{_client_address(request)}"
        cache.add(key, 0, timeout=RATE_WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=RATE_WINDOW)
            count = 1
        if count > RATE_LIMIT:
            response = render(
                request,
                "evaluations/verification/trop_de_requetes.html",
                {"minutes": RATE_WINDOW // 60},
                status=429,
            )
            response["Retry-After"] = str(RATE_WINDOW)
            return response
        return view(request, *args, **kwargs)

    return wrapper


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=40,
        help_text=_(
            "16 caractères, imprimés sous le QR code (tirets et espaces facultatifs)."
        ),
        error_messages={"required": _("Saisissez le code imprimé sur le document.")},
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                _("Un code de vérification compte 16 lettres et chiffres.")
            )
        return code


class FichierForm(forms.Form):
    fichier = forms.FileField(
        label=_("Fichier PDF à comparer"),
        help_text=_(
            "Le fichier n'est pas conservé : seule son empreinte est calculée."
        ),
        error_messages={"required": _("Choisissez le fichier PDF à comparer.")},
    )

    def clean_fichier(self) -> Any:
        fichier = self.cleaned_data["fichier"]
        if fichier.size > MAX_PDF_BYTES:
            raise forms.ValidationError(
                _("Ce fichier dépasse 20 Mo : ce n'est pas un document émis ici.")
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
