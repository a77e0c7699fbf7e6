"""The president's deliberation pages: the vote, its re-opening, the audit
history, and the decisions on proposed exemptions."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.roles import Role
from evaluations.deliberation.forms import (
    AbsenceForm,
    DeliberationForm,
    DispenseForm,
    ReouvertureForm,
)
from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.selectors import (
    get_inscription_for_dispenses,
    get_proposition_for_president,
    historique_for,
    inscriptions_a_dispenser_for,
    presents_precedents,
    propositions_de,
    reouvertures_of,
)
from evaluations.deliberation.services import (
    absence_record,
    deliberation_record,
    deliberation_reopen,
    dispense_decider,
)
from evaluations.jury.selectors import (
    PresidentAccess,
    get_inscription_for_president,
    presents_possibles,
)
from evaluations.notation.rollup import BlocStatut
from evaluations.notation.selectors import (
    ConsolidationTable,
    consolidation_for,
    validations_manquantes,
)
from evaluations.sessions.models import Inscription
from evaluations.sessions.verrou import verrou_409
from handicap.selectors import amenagements_for_jury


def _deliberation_or_none(inscription: Inscription) -> Deliberation | None:
    try:
        return inscription.deliberation
    except Deliberation.DoesNotExist:
        return None


def _render_deliberation(
    request: AuthenticatedHttpRequest,
    access: PresidentAccess,
    table: ConsolidationTable,
    *,
    form: DeliberationForm,
    absence_form: AbsenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    inscription = access.inscription
    deliberation = _deliberation_or_none(inscription)
    if absence_form is None:
        absence_form = AbsenceForm(
            presents=presents_possibles(inscription=inscription),
            initial={"presents": presents_precedents(inscription=inscription)},
        )
    return render(
        request,
        "evaluations/jury/deliberation.html",
        {
            "access": access,
            "inscription": inscription,
            "table": table,
            "form": form,
            "absence_form": absence_form,
            "deliberation": deliberation,
            "reouverture_form": ReouvertureForm(),
            "reouvertures": reouvertures_of(deliberation=deliberation),
            "presents": list(deliberation.presents.select_related("user"))
            if deliberation
            else [],
            "manquants": validations_manquantes(inscription_id=inscription.pk),
        },
        status=status,
    )


def _deliberation_form(
    data: QueryDict | None,
    inscription: Inscription,
    table: ConsolidationTable,
) -> DeliberationForm:
    evalues = [
        b.code
        for b in table.rollup.blocs
        if b.statut not in (BlocStatut.CAPITALISE, BlocStatut.NON_PRESENTE)
    ]
    return DeliberationForm(
        data,
        presents=presents_possibles(inscription=inscription),
        blocs=evalues,
        initial={
            "presents": presents_precedents(inscription=inscription),
            "blocs": list(table.rollup.blocs_valides),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@verrou_409
def deliberation_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_inscription_for_president(
        request.user, pk, write=request.method == "POST"
    )
    inscription = access.inscription
    table = consolidation_for(inscription=inscription)
    form = _deliberation_form(
        request.POST if request.method == "POST" else None, inscription, table
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                deliberation_record(
                    inscription=inscription,
                    motif=form.cleaned_data["motif"],
                    presents=form.cleaned_data["presents"],
                    blocs_decides=form.cleaned_data["blocs"],
                    motif_ecart=form.cleaned_data["motif_ecart"],
                    by=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Décision votée ; les résultats sont verrouillés.")
                )
                return redirect("evaluations:deliberation", pk=inscription.pk)
        status = 400
    return _render_deliberation(request, access, table, form=form, status=status)


@require_POST
@login_required
@verrou_409
def absence_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The jury records the candidate's absence: decision « absent », no score."""
    access = get_inscription_for_president(request.user, pk, write=True)
    inscription = access.inscription
    absence_form = AbsenceForm(
        request.POST, presents=presents_possibles(inscription=inscription)
    )
    if absence_form.is_valid():
        try:
            absence_record(
                inscription=inscription,
                motif=absence_form.cleaned_data["motif"],
                presents=absence_form.cleaned_data["presents"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                absence_form.add_error(None, message)
        else:
            messages.success(
                request, _("Absence enregistrée ; l'inscription est verrouillée.")
            )
            return redirect("evaluations:deliberation", pk=inscription.pk)
    table = consolidation_for(inscription=inscription)
    return _render_deliberation(
        request,
        access,
        table,
        form=_deliberation_form(None, inscription, table),
        absence_form=absence_form,
        status=400,
    )


@require_POST
@login_required
def deliberation_rouvrir_view(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponse:
    access = get_inscription_for_president(request.user, pk, write=True)
    deliberation = _deliberation_or_none(access.inscription)
    if deliberation is None:
        raise Http404
    form = ReouvertureForm(request.POST)
    if form.is_valid():
        try:
            deliberation_reopen(
                deliberation=deliberation,
                motif=form.cleaned_data["motif"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Délibération rouverte : les résultats peuvent être corrigés."),
            )
    else:
        # An ErrorList yields str (its __getitem__ renders each ValidationError);
        # the stubs type its items as ValidationError | str.
        for errors in form.errors.values():
            for erreur in errors:
                messages.error(request, erreur)  # type: ignore[arg-type]
    return redirect("evaluations:deliberation", pk=access.inscription.pk)


@require_GET
@login_required
def historique_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_inscription_for_president(request.user, pk)
    page = paginate(
        request, historique_for(inscription=access.inscription), per_page=50
    )
    return render(
        request,
        "evaluations/jury/historique.html",
        {"access": access, "inscription": access.inscription, "page": page},
    )


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_GET
@login_required
@role_required(Role.PRESIDENT)
def dispenses_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, inscriptions_a_dispenser_for(user=request.user))
    return render(request, "evaluations/jury/dispenses_list.html", {"page": page})


def _coches(form: DispenseForm) -> set[int]:
    """The members ticked in a form: as posted, or its initial value."""
    valeur = form["presents"].value() or []
    return {int(v) for v in valeur if str(v).isdigit()}


def _render_dispenses(
    request: AuthenticatedHttpRequest,
    inscription: Inscription,
    *,
    bound: tuple[int, DispenseForm] | None = None,
) -> HttpResponse:
    propositions = propositions_de(inscription=inscription)
    possibles = presents_possibles(inscription=inscription)
    precedents = presents_precedents(inscription=inscription)
    lignes = []
    for proposition in propositions:
        if bound is not None and bound[0] == proposition.pk:
            form = bound[1]
        else:
            dispense = getattr(proposition, "dispense", None)
            initial: dict[str, object] = {"presents": precedents}
            if dispense is not None:
                initial = {
                    "decision": DispenseForm.Decision.ACCORDER
                    if dispense.accordee
                    else DispenseForm.Decision.REFUSER,
                    "condition_capacite_globale": dispense.condition_capacite_globale,
                    "condition_pratique_future": dispense.condition_pratique_future,
                    "raisonnement": dispense.raisonnement,
                    "presents": precedents,
                }
            form = DispenseForm(
                prefix=f"p{proposition.pk}", initial=initial, presents=possibles
            )
        lignes.append((proposition, form, _coches(form)))
    deliberation = getattr(inscription, "deliberation", None)
    return render(
        request,
        "evaluations/jury/dispenses_inscription.html",
        {
            "inscription": inscription,
            "amenagements": amenagements_for_jury(inscription_id=inscription.pk),
            "lignes": lignes,
            # Evaluated once for every form of the page: the template draws each
            # form's boxes from this list (no query per proposition).
            "membres": list(possibles),
            "accordees": [
                p.critere.code
                for p in propositions
                if getattr(p, "dispense", None) is not None and p.dispense.accordee
            ],
            "verrouillee": bool(deliberation and deliberation.verrouillee),
        },
    )


@require_GET
@login_required
@role_required(Role.PRESIDENT)
def dispenses_inscription_view(
    request: AuthenticatedHttpRequest, inscription_pk: int
) -> HttpResponse:
    inscription = get_inscription_for_dispenses(request.user, inscription_pk)
    return _render_dispenses(request, inscription)


@require_POST
@login_required
@role_required(Role.PRESIDENT)
@verrou_409
def dispense_decider_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposition = get_proposition_for_president(request.user, pk)
    inscription = get_inscription_for_dispenses(
        request.user, proposition.avis.demande.inscription_id
    )
    form = DispenseForm(
        request.POST,
        prefix=f"p{proposition.pk}",
        presents=presents_possibles(inscription=inscription),
    )
    if form.is_valid():
        accorder = form.cleaned_data["decision"] == DispenseForm.Decision.ACCORDER
        try:
            dispense_decider(
                inscription=inscription,
                critere=proposition.critere,
                accorder=accorder,
                condition_capacite_globale=form.cleaned_data[
                    "condition_capacite_globale"
                ],
                condition_pratique_future=form.cleaned_data[
                    "condition_pratique_future"
                ],
                raisonnement=form.cleaned_data["raisonnement"],
                presents=form.cleaned_data["presents"],
                by=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if accorder:
                message = _("Dispense du critère %(code)s accordée.")
            else:
                message = _("Dispense du critère %(code)s refusée.")
            messages.success(request, message % {"code": proposition.critere.code})
            return redirect("evaluations:dispenses_inscription", inscription.pk)
    return _render_dispenses(request, inscription, bound=(proposition.pk, form))
