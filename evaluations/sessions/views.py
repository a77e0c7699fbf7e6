"""The administrator's session pages: list, create/edit, status transitions, the
session desk, enrolment one by one and by CSV import."""

from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest, csrf_input
from certif.pagination import paginate, paginate_keys
from certif.roles import Role
from evaluations.sessions.access import (
    get_candidat_for,
    get_import_for,
    get_session_for,
)
from evaluations.sessions.bureau import panneaux_for
from evaluations.sessions.csv_import import (
    CSV_COLUMNS,
    csv_decode,
    csv_example,
)
from evaluations.sessions.forms import (
    CandidatExistantForm,
    DesistementForm,
    DeskFiltersForm,
    IdentiteCorrectionForm,
    ImportConfirmForm,
    ImportForm,
    NouveauCandidatForm,
    RetourForm,
    SessionForm,
)
from evaluations.sessions.models import Inscription, Session
from evaluations.sessions.selectors import (
    lignes_bureau,
    session_desk,
    session_progress,
    sessions_listed,
)
from evaluations.sessions.services import (
    TRANSITIONS,
    candidat_enrol,
    candidat_identite_update,
    candidat_reinvite,
    inscription_create,
    inscription_desister,
    session_back_to_open,
    session_create,
    session_start_evaluation,
    session_update,
)
from evaluations.sessions.tasks import import_confirm_launch, import_launch
from evaluations.sessions.verrou import DeliberationVerrouilleeError

DESK_PAGE_SIZE = 50


def _form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form (fields when known)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = name if name in form.fields else None
            for error in errors:
                form.add_error(field, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def session_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, sessions_listed())
    return render(request, "evaluations/sessions/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def session_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_create(data=form.data_object(), by=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Session créée (brouillon)."))
            return redirect(session)
    return render(
        request, "evaluations/sessions/form.html", {"form": form, "session": None}
    )


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def session_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request.user, pk)
    form = SessionForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_update(
                session=session, data=form.data_object(), by=request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Session enregistrée."))
            return redirect(session)
    return render(
        request, "evaluations/sessions/form.html", {"form": form, "session": session}
    )


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def session_transition_view(
    request: AuthenticatedHttpRequest, pk: int, action: str
) -> HttpResponse:
    session = get_session_for(request.user, pk)
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    if (
        action == "evaluer"
        and session.depots_ouverts()
        and session.inscriptions.exists()
    ):
        # Before the deadline: a page says what the candidates lose, then the
        # confirmed form comes back here.
        if request.POST.get("confirme") != "oui":
            return _confirmation_evaluation(request, session)
        transition = partial(session_start_evaluation, avant_limite=True)
    try:
        session = transition(session=session, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("La session est maintenant « %(statut)s ».")
            % {"statut": session.get_statut_display()},
        )
    return redirect(session)


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def session_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The session desk: enrolled candidates and their upload progress."""
    session = get_session_for(request.user, pk)
    filters_form = DeskFiltersForm(request.GET)
    page = paginate_keys(
        request,
        session_desk(session=session, filters=filters_form.filters()),
        per_page=DESK_PAGE_SIZE,
    )
    # The page's object_list is the sliced queryset of session_desk (the stubs
    # type it as any sequence).
    lignes = lignes_bureau(session=session, page=page.object_list)  # type: ignore[arg-type]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluations/sessions/detail.html",
        {
            "session": session,
            "page": page,
            "rows": lignes,
            "csrf_input": csrf_input(request),  # the rows' forms
            "termine": session.est_terminee,
            "filters_form": filters_form,
            "query_string": query.urlencode(),
            "transitions": _transitions_for(session),
            "retour_form": RetourForm()
            if session.statut == Session.Statut.EN_EVALUATION
            else None,
            "panneaux": panneaux_for(session=session, user=request.user),
        },
    )


def _confirmation_evaluation(
    request: AuthenticatedHttpRequest, session: Session
) -> HttpResponse:
    progression = session_progress(session=session)
    incomplets = sum(1 for attendus, recus in progression.values() if recus < attendus)
    reste = session.date_limite_depot - timezone.now()
    jours, heures = reste.days, reste.seconds // 3600
    texte_heures = ngettext("%(n)d heure", "%(n)d heures", heures) % {"n": heures}
    if jours:
        perte = _("%(jours)s et %(heures)s") % {
            "jours": ngettext("%(n)d jour", "%(n)d jours", jours) % {"n": jours},
            "heures": texte_heures,
        }
    else:
        perte = texte_heures
    return render(
        request,
        "evaluations/sessions/confirmer_evaluation.html",
        {
            "session": session,
            "incomplets": incomplets,
            "jours": jours,
            "perte": perte,
        },
    )


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def session_retour_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One step back: « en évaluation » → « ouverte », with a reason."""
    session = get_session_for(request.user, pk)
    form = RetourForm(request.POST)
    if form.is_valid():
        try:
            session = session_back_to_open(
                session=session, motif=form.cleaned_data["motif"], by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("La session est revenue au statut « %(statut)s ».")
                % {"statut": session.get_statut_display()},
            )
    else:
        for errors in form.errors.values():
            for erreur in errors:
                messages.error(request, erreur)  # type: ignore[arg-type]
    return redirect(session)


def _transitions_for(session: Session) -> list[tuple[str, str]]:
    """The next status action offered on the desk (the service checks again)."""
    labels: dict[str, tuple[str, str]] = {
        Session.Statut.BROUILLON: ("ouvrir", _("Ouvrir les dépôts")),
        Session.Statut.OUVERTE: ("evaluer", _("Passer en évaluation")),
        Session.Statut.EN_EVALUATION: ("deliberee", _("Marquer délibérée")),
        Session.Statut.DELIBEREE: ("clore", _("Clore la session")),
    }
    return [labels[session.statut]] if session.statut in labels else []


def _enrolment_open(request: AuthenticatedHttpRequest, session: Session) -> bool:
    if session.inscriptions_ouvertes:
        return True
    messages.error(
        request,
        _("Les inscriptions sont fermées : la session est au statut « %(statut)s ».")
        % {"statut": session.get_statut_display()},
    )
    return False


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def inscription_create_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Enrol a new candidate: identity, account, invitation and enrolment."""
    session = get_session_for(request.user, pk)
    if not _enrolment_open(request, session):
        return redirect(session)
    form = NouveauCandidatForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            inscription = candidat_enrol(
                identite=form.identite(),
                session=session,
                voie_acces=form.cleaned_data["voie_acces"],
                parcours=form.cleaned_data["parcours"],
                blocs=form.cleaned_data["blocs"],
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Inscription de %(nom)s enregistrée ; une invitation a été "
                    "envoyée à %(email)s."
                )
                % {
                    "nom": inscription.candidat.nom_complet,
                    "email": inscription.candidat.user.email,
                },
            )
            return redirect(session)
    return render(
        request,
        "evaluations/sessions/inscription_form.html",
        {"form": form, "session": session, "existant": False},
    )


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def inscription_existing_view(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponse:
    """Enrol a candidate who already has a record (found by e-mail)."""
    session = get_session_for(request.user, pk)
    if not _enrolment_open(request, session):
        return redirect(session)
    form = CandidatExistantForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        candidat = form.cleaned_data["email"]
        try:
            inscription_create(
                candidat=candidat,
                session=session,
                voie_acces=form.cleaned_data["voie_acces"],
                parcours=form.cleaned_data["parcours"],
                blocs=form.cleaned_data["blocs"],
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Inscription de %(nom)s enregistrée.")
                % {"nom": candidat.nom_complet},
            )
            return redirect(session)
    return render(
        request,
        "evaluations/sessions/inscription_form.html",
        {"form": form, "session": session, "existant": True},
    )


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def import_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 1: upload the file. It is kept on the server and checked in the
    background; nothing else is written until confirmation."""
    session = get_session_for(request.user, pk)
    if not _enrolment_open(request, session):
        return redirect(session)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        texte, encodage = csv_decode(form.cleaned_data["fichier"])
        upload = request.FILES.get("fichier")
        try:
            fichier = import_launch(
                session=session,
                texte=texte,
                encodage=encodage,
                nom_fichier=(upload.name or "") if upload is not None else "",
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(fichier)
    return render(
        request,
        "evaluations/sessions/import.html",
        {"form": form, "session": session, "colonnes": CSV_COLUMNS},
    )


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def import_preview_view(
    request: AuthenticatedHttpRequest, pk: int, import_pk: int
) -> HttpResponse:
    """Step 2, then 3: the check's progress and first errors while it runs (the
    page polls with htmx, or is refreshed by hand), then the counts, the errors by
    line and column, and the confirmation; then the import's progress and
    outcome."""
    fichier = get_import_for(request.user, pk, import_pk)
    template = "evaluations/sessions/import_preview.html"
    if request.headers.get("HX-Request") == "true":
        template += "#etat"
    return render(
        request,
        template,
        {"session": fichier.session, "fichier": fichier},
    )


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def import_confirm_view(
    request: AuthenticatedHttpRequest, pk: int, import_pk: int
) -> HttpResponse:
    """Confirm the import: enqueued once, whatever the number of clicks."""
    fichier = get_import_for(request.user, pk, import_pk)
    form = ImportConfirmForm(request.POST)
    form.is_valid()
    try:
        lance = import_confirm_launch(
            fichier=fichier,
            seulement_valides=form.cleaned_data.get("seulement_valides", False),
            by=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if lance:
            messages.success(
                request, _("Import lancé : suivez sa progression ci-dessous.")
            )
        else:
            messages.info(
                request,
                _("Cet import est déjà lancé ou terminé : il ne se relance pas."),
            )
    return redirect(fichier)


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR)
def import_example_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = HttpResponse(
        ("\ufeff" + csv_example()).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="exemple-import.csv"'
    return response


@require_POST
@login_required
@role_required(Role.ADMINISTRATEUR)
def inscription_reinvite_view(
    request: AuthenticatedHttpRequest, pk: int, inscription_pk: int
) -> HttpResponse:
    """Send the invitation e-mail again to a candidate of the session."""
    session = get_session_for(request.user, pk)
    inscription = get_object_or_404(
        Inscription.objects.select_related("candidat__user"),
        pk=inscription_pk,
        session=session,
    )
    try:
        candidat = candidat_reinvite(candidat=inscription.candidat, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Invitation renvoyée à %(email)s.") % {"email": candidat.user.email},
        )
    return redirect(session)


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def candidat_identite_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a candidate's civil identity (a misspelt name, a birth place the
    Caisse des Dépôts rejected). ``retour`` brings the administrator back to the
    page they came from, when it is a page of this site."""
    candidat = get_candidat_for(request.user, pk)
    retour = request.POST.get("retour") or request.GET.get("retour") or ""
    if not url_has_allowed_host_and_scheme(
        retour, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        retour = ""
    form = IdentiteCorrectionForm(request.POST or None, candidat=candidat)
    if request.method == "POST" and form.is_valid():
        try:
            candidat = candidat_identite_update(
                candidat=candidat, identite=form.identite(), by=request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("L'état civil de %(nom)s est corrigé.")
                % {"nom": candidat.nom_complet},
            )
            return redirect(retour or "evaluations:session_list")
    return render(
        request,
        "evaluations/sessions/identite_form.html",
        {"form": form, "candidat": candidat, "retour": retour},
    )


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def inscription_desister_view(
    request: AuthenticatedHttpRequest, pk: int, inscription_pk: int
) -> HttpResponse:
    """Record the candidate's withdrawal before the jury (date and reason)."""
    session = get_session_for(request.user, pk)
    inscription = get_object_or_404(
        Inscription.objects.select_related("candidat"),
        pk=inscription_pk,
        session=session,
    )
    form = DesistementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                inscription_desister(
                    inscription=inscription,
                    le=form.cleaned_data["le"],
                    motif=form.cleaned_data["motif"],
                    by=request.user,
                )
            except DeliberationVerrouilleeError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _add_form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Désistement de %(nom)s enregistré.")
                    % {"nom": inscription.candidat.nom_complet},
                )
                return redirect(session)
        status = 400
    return render(
        request,
        "evaluations/sessions/desistement.html",
        {"session": session, "inscription": inscription, "form": form},
        status=status,
    )


def _add_form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
