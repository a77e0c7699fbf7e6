"""The candidate's space: their enrolments, what each modality expects, their
files with history, upload and withdrawal, and the upload receipt. Downloads of a deliverable
for everyone who may read it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.responses import private_file_response
from certif.roles import Role
from certif.uploads import BUREAUTIQUE
from evaluations.livrables.access import get_livrable_for
from evaluations.livrables.forms import DepotForm
from evaluations.livrables.models import Livrable
from evaluations.livrables.selectors import dossier_of
from evaluations.livrables.services import (
    Depot,
    depot_ferme_message,
    inscription_reporter,
    livrable_retirer,
    livrables_deposer,
)
from evaluations.sessions.access import get_inscription_for, get_session_for
from evaluations.sessions.forms import ReportForm
from evaluations.sessions.models import Inscription
from evaluations.sessions.selectors import (
    annotate_progress,
    inscriptions_of,
    reglement_a_accepter,
    reglement_etat_of,
    sessions_de_report,
)
from evaluations.sessions.services import reglement_accepter
from evaluations.sessions.verrou import DeliberationVerrouilleeError
from referentiel.models import Modalite


@require_GET
@login_required
@role_required(Role.CANDIDAT)
def mon_dossier_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, inscriptions_of(user=request.user), per_page=20)
    lignes = annotate_progress(list(page.object_list))
    return render(
        request, "evaluations/candidat/list.html", {"page": page, "lignes": lignes}
    )


@require_GET
@login_required
@role_required(Role.CANDIDAT, Role.ADMINISTRATEUR)
def dossier_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One enrolment's dossier; read-only for an administrator and after the
    deadline."""
    inscription = get_inscription_for(request.user, pk)
    dossier = dossier_of(inscription=inscription)
    proprietaire = inscription.candidat.user_id == request.user.pk
    ouvert = inscription.session.depots_ouverts()
    reglement = reglement_etat_of(inscription=inscription)
    return render(
        request,
        "evaluations/candidat/dossier.html",
        {
            "dossier": dossier,
            "inscription": inscription,
            "session": inscription.session,
            "peut_deposer": proprietaire and ouvert and reglement.a_accepter is None,
            "reglement_a_accepter": reglement.a_accepter,
            "acceptation": reglement.acceptation,
            "proprietaire": proprietaire,
            "ferme_message": "" if ouvert else depot_ferme_message(inscription.session),
            "form": DepotForm(),
            "accept": BUREAUTIQUE.accepte(),
        },
    )


@require_POST
@login_required
@role_required(Role.CANDIDAT)
def reglement_accepter_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The candidate accepts the règlement d'examen in force for this enrolment
    (the version they read is posted: a newer one published meanwhile is
    refused)."""
    inscription = get_inscription_for(request.user, pk, write=True)
    dossier_url = reverse("evaluations:dossier", kwargs={"pk": inscription.pk})
    reglement = reglement_a_accepter(inscription=inscription)
    if reglement is None:
        return redirect(dossier_url)
    if request.POST.get("version") != str(reglement.version) or not request.POST.get(
        "lu"
    ):
        messages.error(
            request,
            _(
                "Cochez « J'ai lu et j'accepte » après avoir lu la version "
                "%(version)d du règlement d'examen."
            )
            % {"version": reglement.version},
        )
        return redirect(f"{dossier_url}#reglement")
    reglement_accepter(inscription=inscription, reglement=reglement)
    messages.success(
        request,
        _("Règlement d'examen accepté (version %(version)d) : vous pouvez déposer.")
        % {"version": reglement.version},
    )
    return redirect(dossier_url)


@require_POST
@login_required
@role_required(Role.CANDIDAT)
def depot_view(
    request: AuthenticatedHttpRequest, pk: int, modalite_pk: int
) -> HttpResponse:
    inscription = get_inscription_for(request.user, pk, write=True)
    modalite = get_object_or_404(
        Modalite.objects.select_related("competence__activite"),
        pk=modalite_pk,
        competence__referentiel_id=inscription.session.referentiel_id,
    )
    form = DepotForm(request.POST, request.FILES)
    dossier_url = reverse("evaluations:dossier", kwargs={"pk": inscription.pk})
    if not form.is_valid():
        # An ErrorList yields str (its __getitem__ renders each ValidationError);
        # the stubs type its items as ValidationError | str.
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)  # type: ignore[arg-type]
        return redirect(f"{dossier_url}#modalite-{modalite.pk}")
    try:
        livrables = livrables_deposer(
            inscription=inscription,
            modalite=modalite,
            depots=[
                Depot(fichier=f, nom=f.name or "")
                for f in form.cleaned_data["fichiers"]
            ],
            by=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{dossier_url}#modalite-{modalite.pk}")
    messages.success(
        request,
        ngettext("%(n)d fichier déposé.", "%(n)d fichiers déposés.", len(livrables))
        % {"n": len(livrables)},
    )
    ids = "&".join(f"l={livrable.pk}" for livrable in livrables)
    return redirect(
        reverse("evaluations:depot_recu", kwargs={"pk": inscription.pk}) + "?" + ids
    )


@require_GET
@login_required
@role_required(Role.CANDIDAT, Role.ADMINISTRATEUR)
def recu_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The receipt of an upload: name, size, SHA-256, date and time."""
    inscription = get_inscription_for(request.user, pk)
    try:
        ids = [int(value) for value in request.GET.getlist("l")][:50]
    except ValueError:
        raise Http404 from None
    livrables = list(
        Livrable.objects.filter(inscription=inscription, pk__in=ids)
        .select_related("modalite__competence")
        .order_by("pk")
    )
    if not livrables:
        raise Http404
    return render(
        request,
        "evaluations/candidat/recu.html",
        {"inscription": inscription, "livrables": livrables},
    )


@require_POST
@login_required
@role_required(Role.CANDIDAT)
def retrait_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    livrable = get_livrable_for(request.user, pk, write=True)
    try:
        livrable_retirer(livrable=livrable, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("« %(nom)s » est retiré ; il reste visible dans l'historique.")
            % {"nom": livrable.nom_original},
        )
    url = reverse("evaluations:dossier", kwargs={"pk": livrable.inscription_id})
    return redirect(f"{url}#modalite-{livrable.modalite_id}")


@require_GET
@login_required
@role_required()
def livrable_download_view(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponseBase:
    """Sent as an attachment; ``?inline=1`` shows a PDF in the browser."""
    livrable = get_livrable_for(request.user, pk)
    inline = (
        request.GET.get("inline") == "1" and livrable.type_mime == "application/pdf"
    )
    return private_file_response(
        livrable.fichier,
        filename=livrable.nom_original,
        content_type=livrable.type_mime,
        inline=inline,
    )


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.ADMINISTRATEUR)
def inscription_report_view(
    request: AuthenticatedHttpRequest, pk: int, inscription_pk: int
) -> HttpResponse:
    """Defer an enrolment to a later session of the same certification."""
    session = get_session_for(request.user, pk)
    inscription = get_object_or_404(
        Inscription.objects.select_related("candidat", "session__referentiel"),
        pk=inscription_pk,
        session=session,
    )
    form = ReportForm(
        request.POST or None, sessions=sessions_de_report(inscription=inscription)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                nouvelle = inscription_reporter(
                    inscription=inscription,
                    session=form.cleaned_data["session"],
                    motif=form.cleaned_data["motif"],
                    by=request.user,
                )
            except DeliberationVerrouilleeError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("%(nom)s est reporté à la session « %(session)s ».")
                    % {
                        "nom": inscription.candidat.nom_complet,
                        "session": nouvelle.session.nom,
                    },
                )
                return redirect(session)
        status = 400
    return render(
        request,
        "evaluations/sessions/report.html",
        {"session": session, "inscription": inscription, "form": form},
        status=status,
    )
