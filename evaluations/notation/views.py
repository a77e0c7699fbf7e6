"""The evaluator's pages (their assignments, the scoring grid — also a plain
form without JavaScript —, the htmx save of one criterion, « Valider mon
évaluation ») and the president's consolidation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certif.decorators import role_required
from certif.http import AuthenticatedHttpRequest
from certif.pagination import paginate
from certif.roles import Role
from evaluations.jury.models import Affectation
from evaluations.jury.selectors import (
    get_inscription_for_president,
    sessions_presidees_by,
)
from evaluations.notation.forms import CritereSaisieForm, DerogationForm
from evaluations.notation.fragments import grille_corps_html, grille_html
from evaluations.notation.selectors import (
    ConsolidationTable,
    affectation_for_save,
    affectations_for_member,
    amenagements_for_grille,
    consolidation_for,
    get_affectation_for,
    get_affectation_for_grille,
    grille_for,
    grille_formats_attach,
    grille_passages_attach,
    progressions_for,
)
from evaluations.notation.services import (
    ConsolidationConflitError,
    EvaluationValideeError,
    affectation_validate,
    consolidation_record,
    derogation_validation_record,
    evaluation_save,
    evaluations_record,
)
from evaluations.sessions.verrou import est_verrouillee, verrou_409


def _lecture_seule(affectation: Affectation) -> str:
    """Why the grid is read-only for its evaluator, or "" when it is editable."""
    inscription = affectation.inscription
    if est_verrouillee(inscription):
        return _("La délibération est votée : la grille est verrouillée.")
    if affectation.validee_le is not None:
        return _("Vous avez validé votre évaluation : la grille est en lecture seule.")
    if not inscription.session.notation_ouverte:
        return _("La session n'est pas en évaluation : la grille est en lecture seule.")
    return ""


def _saisie_grille(post: QueryDict) -> dict[int, tuple[str, str]]:
    ids: set[int] = set()
    for key in post:
        prefix, _sep, rest = key.partition("-")
        if prefix in {"resultat", "commentaire"} and rest.isdigit():
            ids.add(int(rest))
    return {
        pk: (post.get(f"resultat-{pk}", ""), post.get(f"commentaire-{pk}", ""))
        for pk in ids
    }


@require_http_methods(["GET", "POST"])
@login_required
@verrou_409
def grille_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    affectation, faits = get_affectation_for_grille(request.user, pk)
    erreurs: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            ecrits = evaluations_record(
                affectation=affectation,
                valeurs=_saisie_grille(request.POST),
                by=request.user,
            )
        except EvaluationValideeError as exc:
            erreurs, status = [str(exc)], 409
        except ValidationError as exc:
            erreurs, status = exc.messages, 400
        else:
            messages.success(
                request,
                ngettext(
                    "Grille enregistrée (%(n)d critère modifié).",
                    "Grille enregistrée (%(n)d critères modifiés).",
                    ecrits,
                )
                % {"n": ecrits},
            )
            return redirect("evaluations:grille", pk=pk)
    grille = grille_for(affectation=affectation, faits=faits)
    grille_passages_attach(grille=grille, inscription_id=pk, faits=faits)
    amenagements = amenagements_for_grille(inscription_id=pk, faits=faits)
    grille_formats_attach(grille=grille, amenagements=amenagements)
    lecture_seule = _lecture_seule(affectation)
    grille_html(
        grille,
        lecture_seule=bool(lecture_seule),
        url=reverse("evaluations:grille", args=[pk]),
    )
    grille_corps_html(grille)
    return render(
        request,
        "evaluations/jury/grille.html",
        {
            "affectation": affectation,
            "inscription": affectation.inscription,
            "grille": grille,
            "progression": grille,
            "lecture_seule": lecture_seule,
            "erreurs": erreurs,
            "amenagements": amenagements,
        },
        status=status,
    )


@require_POST
@login_required
@verrou_409
def grille_save_view(
    request: AuthenticatedHttpRequest, pk: int, critere_pk: int
) -> HttpResponse:
    """Save one criterion (htmx): answers the criterion's saved state and, out of
    band, the progress bar. Without htmx, back to the grid. A member not assigned
    gets 404 (403 for the roles that read grids elsewhere) before any other
    answer."""
    form = CritereSaisieForm(
        {
            "resultat": request.POST.get(f"resultat-{critere_pk}", ""),
            "commentaire": request.POST.get(f"commentaire-{critere_pk}", ""),
        }
    )
    context: dict[str, object] = {"critere_pk": critere_pk}
    erreur = ""
    status = 200
    if not form.is_valid():
        if affectation_for_save(request.user.pk, pk, critere_pk) is None:
            get_affectation_for(request.user, pk)  # 403 or 404
            raise Http404
        # An ErrorList yields str (its __getitem__ renders each ValidationError);
        # the stubs type its items as ValidationError | str.
        erreur = " ".join(m for errors in form.errors.values() for m in errors)  # type: ignore[misc]
        status = 400
    else:
        try:
            saisie = evaluation_save(
                by=request.user,
                inscription_id=pk,
                critere_id=critere_pk,
                resultat=form.cleaned_data["resultat"],
                commentaire=form.cleaned_data["commentaire"],
            )
        except EvaluationValideeError as exc:
            erreur, status = str(exc), 409
        except ValidationError as exc:
            erreur, status = " ".join(exc.messages), 400
        else:
            if saisie is None:
                get_affectation_for(request.user, pk)  # 403 or 404
                raise Http404
            context |= {
                "affectation": saisie.evaluation.affectation,
                "evaluation": saisie.evaluation,
                "progression": saisie.progression,
            }
    if not request.headers.get("HX-Request"):
        if erreur:
            messages.error(request, erreur)
        url = reverse("evaluations:grille", kwargs={"pk": pk})
        return redirect(f"{url}#critere-{critere_pk}")
    context["erreur"] = erreur
    # Rendered without the request's context processors (navigation, roles): the
    # fragment needs none, and a save stays within its query budget.
    context["csrf_token"] = get_token(request)
    html = get_template("evaluations/jury/grille.html#saisie").render(context)
    return HttpResponse(html, status=status)


@require_POST
@login_required
@verrou_409
def grille_valider_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    affectation = get_affectation_for(request.user, pk)
    try:
        affectation_validate(affectation=affectation, by=request.user)
    except EvaluationValideeError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Évaluation validée : le président du jury peut la consolider."),
        )
    return redirect("evaluations:grille", pk=pk)


def _saisie_consolidation(post: QueryDict) -> dict[int, tuple[str, str, int]]:
    valeurs: dict[int, tuple[str, str, int]] = {}
    for key in post:
        if not key.startswith("version-"):
            continue
        try:
            pk = int(key.removeprefix("version-"))
            version = int(post.get(key, ""))
        except ValueError:
            continue
        valeurs[pk] = (
            post.get(f"resultat-{pk}", ""),
            post.get(f"commentaire-{pk}", ""),
            version,
        )
    return valeurs


def _prefill(
    table: ConsolidationTable, saisie: dict[int, tuple[str, str, int]] | None
) -> None:
    """What each row's inputs show: the president's own input when a save was
    refused, else the jury's result, else the evaluators' common result."""
    for bloc in table.blocs:
        for competence in bloc.competences:
            for ligne in competence.criteres:
                consolidation = ligne.consolidation
                pk = ligne.critere.pk
                if saisie is not None and pk in saisie:
                    resultat, commentaire, version = saisie[pk]
                else:
                    resultat = (
                        consolidation.resultat if consolidation else ligne.propose
                    )
                    commentaire = consolidation.commentaire if consolidation else ""
                    version = consolidation.version if consolidation else 0
                ligne.saisie_resultat = resultat
                ligne.saisie_commentaire = commentaire
                ligne.version_vue = version


@require_http_methods(["GET", "POST"])
@login_required
@verrou_409
def consolidation_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_inscription_for_president(
        request.user, pk, write=request.method == "POST"
    )
    inscription = access.inscription
    saisie = None
    erreurs: list[str] = []
    conflit = None
    status = 200
    if request.method == "POST":
        saisie = _saisie_consolidation(request.POST)
        try:
            ecrits = consolidation_record(
                inscription=inscription, valeurs=saisie, by=request.user
            )
        except ConsolidationConflitError as exc:
            conflit = exc
            status = 409
        except ValidationError as exc:
            erreurs = exc.messages
            status = 400
        else:
            messages.success(
                request,
                ngettext(
                    "Consolidation enregistrée (%(n)d résultat modifié).",
                    "Consolidation enregistrée (%(n)d résultats modifiés).",
                    ecrits,
                )
                % {"n": ecrits},
            )
            return redirect("evaluations:consolidation", pk=inscription.pk)
    table = consolidation_for(inscription=inscription)
    _prefill(table, saisie)
    return render(
        request,
        "evaluations/jury/consolidation.html",
        {
            "access": access,
            "inscription": inscription,
            "table": table,
            "erreurs": erreurs,
            "conflit": conflit,
            "verrouillee": est_verrouillee(inscription),
        },
        status=status,
    )


@require_POST
@login_required
@verrou_409
def derogation_view(
    request: AuthenticatedHttpRequest, pk: int, affectation_pk: int
) -> HttpResponse:
    """The president records why the jury does without an evaluator's validation."""
    access = get_inscription_for_president(request.user, pk, write=True)
    affectation = Affectation.objects.filter(
        pk=affectation_pk, inscription=access.inscription
    ).first()
    if affectation is None:
        raise Http404
    form = DerogationForm(request.POST, prefix=f"d{affectation.pk}")
    if form.is_valid():
        try:
            derogation_validation_record(
                affectation=affectation,
                motif=form.cleaned_data["motif"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _(
                    "Motif enregistré : le jury consolide et délibère sans cette "
                    "validation ; le procès-verbal l'indique."
                ),
            )
    else:
        for errors in form.errors.values():
            for erreur in errors:
                messages.error(request, erreur)  # type: ignore[arg-type]
    return redirect("evaluations:consolidation", pk=access.inscription.pk)


@require_GET
@login_required
@role_required(Role.MEMBRE_JURY, Role.PRESIDENT)
def tableau_de_bord_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's assigned candidates with their progress."""
    page = paginate(request, affectations_for_member(user=request.user))
    progressions = progressions_for(affectations=list(page.object_list))
    return render(
        request,
        "evaluations/jury/tableau_de_bord.html",
        {
            "page": page,
            "progressions": progressions,
            "sessions_presidees": list(sessions_presidees_by(user=request.user)),
        },
    )
