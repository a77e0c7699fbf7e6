"""The candidate's space: their enrolments, what each modality expects, their
files with history, upload and withdrawal, and the upload receipt. Downloads of a deliverable
for everyone who may read it."""

from dataclasses import dataclass, replace

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
from certif.responses import private_file_response, rendered_file_response
from certif.roles import Role
from certif.uploads import BUREAUTIQUE
from evaluations.livrables.access import get_livrable_for
from evaluations.livrables.documents import recu_pdf
from evaluations.livrables.forms import DepotForm
from evaluations.livrables.models import Livrable
from evaluations.livrables.selectors import dossier_of, recu_of
from evaluations.livrables.services import (
    Depot,
    depot_ferme_message,
    inscription_reporter,
    livrable_retirer,
    livrables_deposer,
)
from evaluations.livrables.tasks import recus_launch
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


@dataclass(frozen=True)
class DepotRefuse:
    """A refused upload, shown next to the file field of its modality, or at the
    top of the dossier when the modality has no card there (``en_tete``)."""

    modalite_id: int
    messages: list[str]
    en_tete: bool = False


def _dossier_response(
    request: AuthenticatedHttpRequest,
    inscription: Inscription,
    *,
    refus: DepotRefuse | None = None,
) -> HttpResponse:
    dossier = dossier_of(inscription=inscription)
    proprietaire = inscription.candidat.user_id == request.user.pk
    ouvert = inscription.session.depots_ouverts()
    reglement = reglement_etat_of(inscription=inscription)
    if refus is not None and not dossier.contient(refus.modalite_id):
        refus = replace(refus, en_tete=True)
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
            "refus": refus,
        },
        status=200 if refus is None else 400,
    )


@require_GET
@login_required
@role_required(Role.CANDIDAT, Role.ADMINISTRATEUR)
def dossier_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One enrolment's dossier; read-only for an administrator and after the
    deadline."""
    return _dossier_response(request, get_inscription_for(request.user, pk))


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
    """Store the files, e-mail a receipt for each and show the receipts; a
    refused upload stores nothing and answers with the dossier, the message next
    to that modality's file field, which has the focus (the form's action carries
    the modality's fragment: without JavaScript the page opens there)."""
    inscription = get_inscription_for(request.user, pk, write=True)
    modalite = get_object_or_404(
        Modalite.objects.select_related("competence__activite"),
        pk=modalite_pk,
        competence__referentiel_id=inscription.session.referentiel_id,
    )
    form = DepotForm(request.POST, request.FILES)
    if form.is_valid():
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
            erreurs = exc.messages
        else:
            recus_launch(livrables=livrables)
            messages.success(
                request,
                ngettext(
                    "%(n)d fichier déposé.", "%(n)d fichiers déposés.", len(livrables)
                )
                % {"n": len(livrables)},
            )
            ids = "&".join(f"l={livrable.pk}" for livrable in livrables)
            recu_url = reverse("evaluations:depot_recu", kwargs={"pk": inscription.pk})
            return redirect(f"{recu_url}?{ids}")
    else:
        erreurs = [
            str(message) for errors in form.errors.values() for message in errors
        ]
    return _dossier_response(
        request,
        inscription,
        refus=DepotRefuse(modalite_id=modalite.pk, messages=erreurs),
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


@require_GET
@login_required
@role_required()
def livrable_recu_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The PDF receipt of one deposit (one version of one file), for whoever may
    read that file; rebuilt from the stored deposit, so always the same."""
    livrable = get_livrable_for(request.user, pk)
    return rendered_file_response(recu_pdf(recu_of(livrable=livrable)))


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
