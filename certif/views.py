from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from certif.http import AuthenticatedHttpRequest
from certif.navigation import home_actions_for
from certif.workers import tasks_stalled


@require_GET
@login_required
def home_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    actions = home_actions_for(user=request.user)
    return render(request, "certif/home.html", {"actions": actions})


@require_GET
@never_cache
def sante_view(request: HttpRequest) -> JsonResponse:
    """Liveness, database and background-work check for load balancers and
    monitoring: 503 when the database does not answer, or when tasks wait and no
    worker is alive (``certif.workers``)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    if tasks_stalled():
        return JsonResponse(
            {"status": "error", "database": "ok", "workers": "none alive"},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "workers": "ok"})
