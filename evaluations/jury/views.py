"""The jury's composition pages (members, assignments, automatic assignment)
and the members' declarations of conflicts of interest."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest, csrf_input
from certif.pagination import paginate, paginate_keys
from certif.roles import Role, is_admin
from evaluations.jury.forms import (
    AffectationAddForm,
    AffectationsAutoForm,
    ConflitForm,
    MembreJuryAddForm,
)
from evaluations.jury.models import Affectation, MembreJury
from evaluations.jury.selectors import (
    choix_personnes,
    conflits_for_pv,
    conflits_of,
    get_session_for_jury,
    inscriptions_for_conflit,
    inscriptions_for_jury,
    lignes_jury,
    membres_of,
    sessions_for_jury_admin,
    sessions_presidees_by,
)
from evaluations.jury.services import (
    affectation_add,
    affectation_remove,
    affectations_auto,
    conflit_declare,
    membre_jury_add,
    membre_jury_remove,
)
from evaluations.sessions.models import EcritureRefusee, Inscription, Session
from evaluations.sessions.selectors import search_inscriptions
from evaluations.sessions.verrou import (
    DeliberationVerrouilleeError,
    ecriture_refusee_record,
)


def _form_errors(request: AuthenticatedHttpRequest, form: forms.BaseForm) -> None:
    # An ErrorList yields str (its __getitem__ renders each ValidationError);
    # the stubs type its items as ValidationError | str.
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)  # type: ignore[arg-type]


def _verrou_refuse(
    request: AuthenticatedHttpRequest, exc: DeliberationVerrouilleeError
) -> None:
    """A change of evaluators refused by an enrolment's lock: say so, and record
    the attempt in the enrolment's history."""
    if exc.inscription is not None:
        ecriture_refusee_record(
            inscription_id=exc.inscription.pk,
            action=EcritureRefusee.Action.JURY,
            by=request.user,
        )
    messages.error(request, str(exc))


def _validation_errors(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_GET
@login_required
@role_required(Role.ADMINISTRATEUR, Role.PRESIDENT)
def jury_sessions_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    sessions: QuerySet[Session] = sessions_for_jury_admin()
    if not is_admin(request.user):
        sessions = sessions.filter(
            pk__in=sessions_presidees_by(user=request.user).values("pk")
        )
    page = paginate(request, sessions.order_by("-date_jury", "nom", "pk"))
    return render(request, "evaluations/jury/sessions.html", {"page": page})


@require_GET
@login_required
def jury_session_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, editable = get_session_for_jury(request.user, pk)
    q = request.GET.get("q", "")
    page = paginate_keys(request, inscriptions_for_jury(session=session, q=q))
    membres = list(membres_of(session=session))
    lignes = lignes_jury(
        session=session,
        # the sliced keys of inscriptions_for_jury (typed as any sequence)
        page=page.object_list,  # type: ignore[arg-type]
        membres=membres,
        editable=editable,
    )
    return render(
        request,
        "evaluations/jury/session.html",
        {
            "session": session,
            "editable": editable,
            "membres": membres,
            "page": page,
            "lignes": lignes,
            "csrf_input": csrf_input(request),  # the rows' forms
            "url_affecter": reverse(
                "evaluations:jury_affectation_ajouter", args=[session.pk]
            ),
            "q": q,
            "numero_page": page.number,  # the rows' forms: a plain lookup per row
            "query_string": urlencode({"q": q}) if q else "",
            "conflits": paginate(request, conflits_for_pv(session), param="conflits"),
            # the form's fields, for their labels: the page renders the form
            # without building it (its select comes from « personnes »)
            "membre_champs": MembreJuryAddForm.base_fields if editable else None,
            "personnes": choix_personnes(membres=membres) if editable else [],
            "auto_form": AffectationsAutoForm() if editable else None,
        },
    )


def _admin_session(request: AuthenticatedHttpRequest, pk: int) -> Session:
    session, editable = get_session_for_jury(request.user, pk)
    if not editable:
        raise PermissionDenied
    return session


@require_POST
@login_required
def membre_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _admin_session(request, pk)
    form = MembreJuryAddForm(request.POST, session=session)
    if form.is_valid():
        try:
            membre = membre_jury_add(
                session=session,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                qualite=form.cleaned_data["qualite"],
            )
        except ValidationError as exc:
            _validation_errors(request, exc)
        else:
            messages.success(
                request, _("%(membre)s ajouté au jury.") % {"membre": membre.user}
            )
    else:
        _form_errors(request, form)
    return redirect("evaluations:jury_session", pk=session.pk)


@require_POST
@login_required
def membre_remove_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membre = get_object_or_404(MembreJury.objects.select_related("session"), pk=pk)
    session = _admin_session(request, membre.session_id)
    try:
        membre_jury_remove(membre=membre)
    except DeliberationVerrouilleeError as exc:
        _verrou_refuse(request, exc)
    except ValidationError as exc:
        _validation_errors(request, exc)
    else:
        messages.success(request, _("Membre retiré du jury."))
    return redirect("evaluations:jury_session", pk=session.pk)


@require_POST
@login_required
def affectation_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _admin_session(request, pk)
    form = AffectationAddForm(request.POST, session=session)
    if form.is_valid():
        try:
            affectation_add(
                membre=form.cleaned_data["membre"],
                inscription=form.cleaned_data["inscription"],
            )
        except DeliberationVerrouilleeError as exc:
            _verrou_refuse(request, exc)
        except ValidationError as exc:
            _validation_errors(request, exc)
        else:
            messages.success(request, _("Évaluateur affecté."))
    else:
        _form_errors(request, form)
    # Back to the row the administrator was on (same search, same page).
    retour = {k: request.POST[k] for k in ("q", "page") if request.POST.get(k)}
    url = reverse("evaluations:jury_session", args=[session.pk])
    return redirect(f"{url}?{urlencode(retour)}" if retour else url)


@require_POST
@login_required
def affectation_remove_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    affectation = get_object_or_404(
        Affectation.objects.select_related("inscription__session"), pk=pk
    )
    session = _admin_session(request, affectation.inscription.session_id)
    try:
        affectation_remove(affectation=affectation)
    except DeliberationVerrouilleeError as exc:
        _verrou_refuse(request, exc)
    except ValidationError as exc:
        _validation_errors(request, exc)
    else:
        messages.success(request, _("Affectation retirée."))
    return redirect("evaluations:jury_session", pk=session.pk)


@require_POST
@login_required
def affectations_auto_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _admin_session(request, pk)
    form = AffectationsAutoForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("evaluations:jury_session", pk=session.pk)
    try:
        result = affectations_auto(
            session=session, par_candidat=form.cleaned_data["par_candidat"]
        )
    except ValidationError as exc:
        _validation_errors(request, exc)
        return redirect("evaluations:jury_session", pk=session.pk)
    messages.success(
        request,
        ngettext(
            "%(n)d affectation créée.", "%(n)d affectations créées.", result.creees
        )
        % {"n": result.creees},
    )
    for inscription, obtenus in result.incompletes:
        messages.warning(
            request,
            ngettext(
                "%(candidat)s n'a que %(n)d évaluateur sur %(attendu)d : pas assez "
                "de membres sans conflit d'intérêts.",
                "%(candidat)s n'a que %(n)d évaluateurs sur %(attendu)d : pas assez "
                "de membres sans conflit d'intérêts.",
                obtenus,
            )
            % {
                "candidat": inscription.candidat.nom_complet,
                "n": obtenus,
                "attendu": form.cleaned_data["par_candidat"],
            },
        )
    return redirect("evaluations:jury_session", pk=session.pk)


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.MEMBRE_JURY, Role.PRESIDENT)
def conflits_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search a candidate of one's sessions, pick them, then declare the link.
    Works as plain links and forms, without JavaScript."""
    q = request.GET.get("q", "")
    candidats = inscriptions_for_conflit(user=request.user)
    form = ConflitForm(request.POST or None, inscriptions=candidats)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            inscription = form.cleaned_data["inscription"]
            membre = MembreJury.objects.get(
                user=request.user, session_id=inscription.session_id
            )
            try:
                conflit_declare(
                    membre=membre,
                    inscription=inscription,
                    nature=form.cleaned_data["nature"],
                    commentaire=form.cleaned_data["commentaire"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Conflit d'intérêts déclaré : vous n'évaluez plus %(candidat)s.")
                    % {"candidat": inscription.candidat.nom_complet},
                )
                return redirect("evaluations:jury_conflits")
        status = 400
    if form.is_bound:
        choisi = form.cleaned_data.get("inscription")
    else:
        choisi = _candidat_choisi(form, request.GET.get("inscription"))
    page = paginate(request, search_inscriptions(candidats, q))
    declarations = paginate(
        request, conflits_of(user=request.user), param="declarations"
    )
    return render(
        request,
        "evaluations/jury/conflits.html",
        {
            "form": form,
            "choisi": choisi,
            "q": q,
            "query_string": urlencode({"q": q}) if q else "",
            "page": page,
            "declarations": declarations,
        },
        status=status,
    )


def _candidat_choisi(form: ConflitForm, value: str | None) -> Inscription | None:
    """The candidate picked from the list (``?inscription=``), if the form's own
    field accepts them: one of the member's candidates, not yet declared."""
    try:
        return form.fields["inscription"].clean(value)
    except ValidationError:
        return None
