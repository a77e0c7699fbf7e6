"""Pages of the live épreuves: the administrator's timetable (generate, adjust
one sitting at a time, publish, print), a jury member's availability, sittings,
attendance and calendar feed, and the candidate's convocations."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.responses import private_file_response, rendered_file_response
from certif.roles import Role
from evaluations.epreuves.documents import agenda_ics, convocation_ics, planning_pdf
from evaluations.epreuves.forms import (
    DisponibiliteForm,
    GenerationForm,
    JustificationForm,
    PassageForm,
    PlanningReglagesForm,
    PresenceForm,
    SalleForm,
    SiteForm,
)
from evaluations.epreuves.lieux import (
    salle_create,
    salle_delete,
    salle_update,
    site_create,
    site_delete,
    site_update,
)
from evaluations.epreuves.models import Disponibilite, FluxCalendrier, Passage
from evaluations.epreuves.selectors import (
    amenagements_passage_by_inscription,
    convocation_snapshot,
    convocations_for_candidat,
    demandes_tardives,
    disponibilites_of,
    get_convocation_for,
    get_passage_for_admin,
    get_passage_for_jury,
    get_salle_for,
    get_site_for,
    jours_of,
    membre_jury_of,
    modalites_en_presence,
    passages_du_jour,
    passages_for_user,
    passages_of,
    planning_of,
    salles_actives,
    sessions_of_membre,
    sites_of,
)
from evaluations.epreuves.services import (
    PassageSaisi,
    absence_justifier,
    disponibilite_add,
    disponibilite_remove,
    flux_get_or_create,
    flux_revoke,
    passage_save,
    passages_clear,
    planning_settings_update,
    presence_record,
)
from evaluations.epreuves.tasks import (
    convocations_launch,
    generation_launch,
    publish_launch,
)
from evaluations.jury.models import MembreJury
from evaluations.sessions.access import get_session_for
from evaluations.sessions.models import Session

# Sittings of one day shown per page of the timetable.
PASSAGES_PAR_PAGE = 50
# Sites per page of their administration page.
SITES_PAR_PAGE = 20


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's refusal on the form: on its field when it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _form_errors(request: HttpRequest, form: forms.BaseForm) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)  # type: ignore[arg-type]


def _jour(request: HttpRequest, jours: list[date]) -> date | None:
    raw = request.GET.get("jour", "")
    try:
        choisi = date.fromisoformat(raw) if raw else None
    except ValueError:
        choisi = None
    if choisi in jours:
        return choisi
    return jours[0] if jours else None


# -- administrator ----------------------------------------------------------------


@require_GET
@login_required
def planning_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request.user, pk)
    planning = planning_of(session=session)
    jours = jours_of(session=session)
    jour = _jour(request, jours)
    page = paginate(
        request,
        passages_du_jour(session=session, jour=jour) if jour else [],
        per_page=PASSAGES_PAR_PAGE,
    )
    passages = list(page.object_list)
    amenagements = amenagements_passage_by_inscription(
        inscription_ids=[p.inscription_id for p in passages]
    )
    salles: dict[str, list[Passage]] = {}
    for p in passages:
        p.amenagements = amenagements.get(p.inscription_id)
        cle = str(p.salle) if p.salle else _("À distance")
        salles.setdefault(cle, []).append(p)
    membres = list(
        MembreJury.objects.filter(session=session)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    membre = next(
        (m for m in membres if str(m.pk) == request.GET.get("membre", "")), None
    )
    par_membre = (
        paginate(
            request,
            passages_of(session=session).filter(membres=membre),
            per_page=PASSAGES_PAR_PAGE,
            param="page_membre",
        )
        if membre is not None
        else None
    )
    generation_form = GenerationForm(
        salles=salles_actives(),
        initial=planning.parametres if planning and planning.parametres else None,
    )
    if planning and planning.parametres:
        generation_form.initial["jours"] = "\n".join(planning.parametres["jours"])
    return render(
        request,
        "epreuves/planning.html",
        {
            "session": session,
            "planning": planning,
            "jours": jours,
            "jour": jour,
            "page": page,
            "salles": salles,
            "generation_form": generation_form,
            "membres": membres,
            "membre": membre,
            "par_membre": par_membre,
            "tardives": list(demandes_tardives(session=session)[:50]),
            "query_string": urlencode(
                {
                    k: v
                    for k, v in (
                        ("jour", jour.isoformat() if jour else ""),
                        ("membre", membre.pk if membre else ""),
                    )
                    if v
                }
            ),
            "reglages_form": PlanningReglagesForm(
                initial={
                    "date_limite_amenagements": planning.date_limite_amenagements
                    if planning
                    else None
                }
            ),
        },
    )


@require_POST
@login_required
def generation_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request.user, pk)
    form = GenerationForm(request.POST, salles=salles_actives())
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("evaluations:epreuves_planning", pk=session.pk)
    try:
        planning = generation_launch(
            session=session, parametres=form.parametres(), by=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("evaluations:epreuves_planning", pk=session.pk)
    planning.refresh_from_db()
    if planning.generation_en_cours:
        messages.info(request, _("La génération du planning est lancée."))
    else:
        places = planning.a_placer - len(planning.non_places)
        messages.success(
            request,
            ngettext("%(n)d passage placé.", "%(n)d passages placés.", places)
            % {"n": places},
        )
    return redirect("evaluations:epreuves_planning", pk=session.pk)


@require_POST
@login_required
def reglages_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request.user, pk)
    form = PlanningReglagesForm(request.POST)
    if form.is_valid():
        planning_settings_update(
            session=session,
            date_limite_amenagements=form.cleaned_data["date_limite_amenagements"],
            by=request.user,
        )
        messages.success(request, _("Réglages enregistrés."))
    else:
        _form_errors(request, form)
    return redirect("evaluations:epreuves_planning", pk=session.pk)


@require_POST
@login_required
def vider_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request.user, pk)
    try:
        n = passages_clear(session=session, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            ngettext("%(n)d passage retiré.", "%(n)d passages retirés.", n) % {"n": n}
            if n
            else _("Aucun passage à retirer."),
        )
    return redirect("evaluations:epreuves_planning", pk=session.pk)


@require_POST
@login_required
def publier_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request.user, pk)
    try:
        publish_launch(session=session, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("Planning publié : les convocations partent en arrière-plan.")
        )
    return redirect("evaluations:epreuves_planning", pk=session.pk)


@require_GET
@login_required
def planning_pdf_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    session = get_session_for(request.user, pk)
    jours = jours_of(session=session)
    jour = _jour(request, jours)
    if jour is None:
        raise Http404
    return rendered_file_response(
        planning_pdf(
            titre=_("%(session)s — épreuves du %(jour)s")
            % {"session": session.nom, "jour": jour.strftime("%d/%m/%Y")},
            passages=passages_du_jour(session=session, jour=jour),
        )
    )


@require_http_methods(["GET", "POST"])
@login_required
def passage_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    passage = get_passage_for_admin(request.user, pk)
    session = passage.session
    kwargs = {
        "session": session,
        "salles": salles_actives(),
        "modalites": modalites_en_presence(session=session),
    }
    if request.method == "POST":
        form = PassageForm(request.POST, **kwargs)  # type: ignore[arg-type]
        if form.is_valid():
            d = form.cleaned_data
            try:
                passage_save(
                    saisi=PassageSaisi(
                        inscription=passage.inscription,
                        modalites=list(d["modalites"]),
                        debut=form.debut(),
                        duree_minutes=d["duree_minutes"],
                        salle=d["salle"],
                        lien_visio=d["lien_visio"],
                        membres=list(d["membres"]),
                    ),
                    passage=passage,
                    by=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                planning = planning_of(session=session)
                if planning is not None:
                    convocations_launch(planning=planning)
                messages.success(request, _("Passage enregistré."))
                return redirect(
                    f"{_planning_url(session)}?jour={timezone.localtime(form.debut()):%Y-%m-%d}"
                )
    else:
        form = PassageForm(initial=PassageForm.initial_of(passage), **kwargs)  # type: ignore[arg-type]
    return render(
        request, "epreuves/passage_form.html", {"passage": passage, "form": form}
    )


def _planning_url(session: Session) -> str:
    return reverse("evaluations:epreuves_planning", kwargs={"pk": session.pk})


# -- sites and rooms (administrator) ----------------------------------------------


def _sites_url() -> str:
    return reverse("evaluations:epreuves_sites")


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def sites_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, sites_of(), per_page=SITES_PAR_PAGE)
    return render(request, "epreuves/sites.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def site_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SiteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            site = site_create(saisi=form.saisi())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Site « %(nom)s » créé.") % {"nom": site.nom})
            return redirect(_sites_url())
    return render(request, "epreuves/site_form.html", {"form": form, "site": None})


@require_http_methods(["GET", "POST"])
@login_required
def site_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = get_site_for(request.user, pk)
    form = SiteForm(
        request.POST if request.method == "POST" else None,
        initial=SiteForm.initial_of(site),
    )
    if form.is_valid():
        try:
            site_update(site=site, saisi=form.saisi())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Site enregistré."))
            return redirect(_sites_url())
    return render(request, "epreuves/site_form.html", {"form": form, "site": site})


@require_POST
@login_required
def site_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = get_site_for(request.user, pk)
    try:
        site_delete(site=site)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Site « %(nom)s » supprimé.") % {"nom": site.nom})
    return redirect(_sites_url())


@require_http_methods(["GET", "POST"])
@login_required
def salle_create_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = get_site_for(request.user, pk)
    form = SalleForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            salle = salle_create(site=site, saisie=form.saisie())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("Salle « %(nom)s » créée.") % {"nom": str(salle)}
            )
            return redirect(_sites_url())
    return render(
        request, "epreuves/salle_form.html", {"form": form, "site": site, "salle": None}
    )


@require_http_methods(["GET", "POST"])
@login_required
def salle_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    salle = get_salle_for(request.user, pk)
    form = SalleForm(
        request.POST if request.method == "POST" else None,
        initial=SalleForm.initial_of(salle),
    )
    if form.is_valid():
        try:
            salle_update(salle=salle, saisie=form.saisie())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Salle enregistrée."))
            return redirect(_sites_url())
    return render(
        request,
        "epreuves/salle_form.html",
        {"form": form, "site": salle.site, "salle": salle},
    )


@require_POST
@login_required
def salle_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    salle = get_salle_for(request.user, pk)
    try:
        salle_delete(salle=salle)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("Salle « %(nom)s » supprimée.") % {"nom": str(salle)}
        )
    return redirect(_sites_url())


# -- jury member ------------------------------------------------------------------


@require_GET
@login_required
@role_required(Role.MEMBRE_JURY, Role.PRESIDENT)
def mes_sessions_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, sessions_of_membre(user=request.user))
    return render(request, "epreuves/mes_sessions.html", {"page": page})


@require_GET
@login_required
@role_required(Role.MEMBRE_JURY, Role.PRESIDENT)
def mes_passages_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membre = membre_jury_of(user=request.user, session_pk=pk)
    page = paginate(request, passages_for_user(user=request.user).filter(session_id=pk))
    passages = list(page.object_list)
    amenagements = amenagements_passage_by_inscription(
        inscription_ids=[p.inscription_id for p in passages]
    )
    for p in passages:
        p.amenagements = amenagements.get(p.inscription_id)
    flux = FluxCalendrier.objects.filter(user=request.user).first()
    return render(
        request,
        "epreuves/mes_passages.html",
        {
            "membre": membre,
            "session": membre.session,
            "page": page,
            "passages": passages,
            "aujourdhui": timezone.localdate(),
            "disponibilites": disponibilites_of(membre=membre),
            "dispo_form": DisponibiliteForm(),
            "flux": flux,
            "president": membre.role == MembreJury.Role.PRESIDENT,
            "justification_form": JustificationForm(),
        },
    )


@require_POST
@login_required
@role_required(Role.MEMBRE_JURY, Role.PRESIDENT)
def disponibilite_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membre = membre_jury_of(user=request.user, session_pk=pk)
    form = DisponibiliteForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            disponibilite_add(
                membre=membre,
                jour=d["jour"],
                debut=d["debut"],
                fin=d["fin"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Disponibilité enregistrée."))
    else:
        _form_errors(request, form)
    return redirect("evaluations:epreuves_mes_passages", pk=pk)


@require_POST
@login_required
def disponibilite_remove_view(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponse:
    dispo = get_object_or_404(
        Disponibilite.objects.select_related("membre"),
        pk=pk,
        membre__user=request.user,
    )
    disponibilite_remove(disponibilite=dispo, by=request.user)
    messages.success(request, _("Disponibilité retirée."))
    return redirect("evaluations:epreuves_mes_passages", pk=dispo.membre.session_id)


@require_POST
@login_required
def presence_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    passage = get_passage_for_jury(request.user, pk)
    form = PresenceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            presence_record(
                passage=passage, presence=form.cleaned_data["presence"], by=request.user
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Présence enregistrée."))
    return redirect("evaluations:epreuves_mes_passages", pk=passage.session_id)


@require_POST
@login_required
def justifier_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    passage = get_passage_for_jury(request.user, pk)
    if not MembreJury.objects.filter(
        session_id=passage.session_id, user=request.user, role=MembreJury.Role.PRESIDENT
    ).exists():
        raise PermissionDenied
    form = JustificationForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            absence_justifier(
                passage=passage, motif=form.cleaned_data["motif"], by=request.user
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request,
                _("Absence justifiée : l'administrateur place un nouveau passage."),
            )
    return redirect("evaluations:epreuves_mes_passages", pk=passage.session_id)


@require_GET
@login_required
@role_required(Role.MEMBRE_JURY, Role.PRESIDENT)
def agenda_ics_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return HttpResponse(
        agenda_ics(
            nom=_("Épreuves — %(nom)s") % {"nom": request.user.get_full_name()},
            passages=passages_for_user(user=request.user),
        ),
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="epreuves.ics"',
            "Cache-Control": "private, no-store",
        },
    )


@require_GET
@login_required
@role_required(Role.MEMBRE_JURY, Role.PRESIDENT)
def agenda_pdf_view(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    return rendered_file_response(
        planning_pdf(
            titre=_("Épreuves de %(nom)s") % {"nom": request.user.get_full_name()},
            passages=passages_for_user(user=request.user),
        )
    )


@require_POST
@login_required
@role_required(Role.MEMBRE_JURY, Role.PRESIDENT)
def flux_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create the private feed, or revoke it (a new secret)."""
    if request.POST.get("revoquer"):
        flux_revoke(user=request.user)
        messages.success(
            request, _("Ancienne adresse révoquée : voici la nouvelle adresse.")
        )
    else:
        flux_get_or_create(user=request.user)
    retour = request.POST.get("retour", "")
    # Back to the member's page it was posted from; never to another site.
    if not url_has_allowed_host_and_scheme(
        retour, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("evaluations:epreuves_mes_sessions")
    return redirect(retour)


@require_GET
def flux_ics_view(request: HttpRequest, jeton: str) -> HttpResponse:
    """The private feed: anyone with the secret URL (a calendar application)."""
    flux = FluxCalendrier.objects.select_related("user").filter(jeton=jeton).first()
    if flux is None:
        raise Http404
    return HttpResponse(
        agenda_ics(
            nom=_("Épreuves — %(nom)s") % {"nom": flux.user.get_full_name()},
            passages=passages_for_user(user=flux.user),
        ),
        content_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store"},
    )


# -- candidate --------------------------------------------------------------------


@require_GET
@login_required
@role_required(Role.CANDIDAT)
def mes_convocations_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, convocations_for_candidat(user=request.user))
    return render(request, "epreuves/mes_convocations.html", {"page": page})


@require_GET
@login_required
def convocation_pdf_view(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponseBase:
    convocation = get_convocation_for(request.user, pk)
    return private_file_response(
        convocation.fichier,
        filename=f"convocation-{convocation.passage_id}-v{convocation.version}.pdf",
        content_type="application/pdf",
    )


@require_GET
@login_required
def convocation_ics_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    convocation = get_convocation_for(request.user, pk)
    snapshot = convocation_snapshot(passage_id=convocation.passage_id)
    return HttpResponse(
        convocation_ics(snapshot, sequence=convocation.version),
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="convocation.ics"',
            "Cache-Control": "private, no-store",
        },
    )
