import hashlib
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from certif.client import client_address
from certif.errors import too_many_requests
from certif.forms import MotDePasseNouveauForm, MotDePasseOublieForm
from certif.http import AuthenticatedHttpRequest
from certif.messages import messages_of
from certif.navigation import home_actions_for
from certif.pagination import paginate
from certif.ratelimit import rate_limit_hit
from certif.sante import sante_base_report, sante_report
from certif.tasks import password_reset_send


@require_GET
@login_required
def home_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    actions = home_actions_for(user=request.user)
    return render(request, "certif/home.html", {"actions": actions})


@require_GET
@never_cache
def sante_base_view(request: HttpRequest) -> JsonResponse:
    """The database alone: 200 when it answers ``SELECT 1``, 503 otherwise."""
    status, body = sante_base_report()
    return JsonResponse(body, status=status)


@require_GET
@login_required
def messages_mine_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The e-mails the platform sent to the user, newest first."""
    page = paginate(
        request,
        messages_of(user=request.user).only("pk", "sujet", "cree_le", "pieces_jointes"),
    )
    return render(request, "certif/messages.html", {"page": page})


@require_GET
@login_required
def message_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One e-mail the user received (another person's message is a 404)."""
    message = get_object_or_404(messages_of(user=request.user), pk=pk)
    return render(request, "certif/message_detail.html", {"message": message})


@require_GET
@never_cache
def sante_view(request: HttpRequest) -> JsonResponse:
    """Database, storage and task queue, for load balancers and monitoring
    (``certif.sante``): 503 when the platform cannot do its work."""
    status, body = sante_report()
    return JsonResponse(body, status=status)


@require_http_methods(["GET", "POST"])
@csrf_protect
def password_reset_view(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same, and takes the same time,
    whether the address has an account or not: the e-mail leaves from a
    background task. At most ``PASSWORD_RESET_PAR_CLIENT`` requests per client
    address and ``PASSWORD_RESET_PAR_ADRESSE`` per e-mail address in
    ``PASSWORD_RESET_WINDOW`` seconds (429 past them, known address or not)."""
    form = MotDePasseOublieForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        window = settings.PASSWORD_RESET_WINDOW
        wait = rate_limit_hit(
            f"reset-client:{client_address(request)}",
            limit=settings.PASSWORD_RESET_PAR_CLIENT,
            window=window,
        ) or rate_limit_hit(
            "reset-adresse:" + hashlib.sha256(email.encode()).hexdigest(),
            limit=settings.PASSWORD_RESET_PAR_ADRESSE,
            window=window,
        )
        if wait:
            return too_many_requests(request, retry_after=wait)
        password_reset_send.enqueue(email=email)
        return redirect("password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose the new password; doing so also lifts a login lockout of the
    account (django-axes), from every address."""

    form_class = MotDePasseNouveauForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.email)
        return response
