from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from certif.models import User
from certif.roles import is_admin
from referentiel.models import Activite, Bloc, Competence, Critere, Referentiel


def referentiels_listed_for(*, user: User) -> QuerySet[Referentiel]:
    """The versions the user may read, with their number of criteria, in a stable
    order for pagination (an aggregate drops the model's default ordering)."""
    return (
        referentiels_visible_to(user=user)
        .annotate(nb_criteres=Count("blocs__activites__competences__criteres"))
        .order_by("certification__intitule", "certification__code", "-cree_le", "-pk")
    )


def referentiels_visible_to(*, user: User) -> QuerySet[Referentiel]:
    """Published and archived versions for everyone with a role; drafts too for
    administrators."""
    queryset = Referentiel.objects.select_related("certification")
    if not is_admin(user):
        queryset = queryset.exclude(statut=Referentiel.Statut.BROUILLON)
    return queryset


def referentiel_tree(
    *, pk: int, queryset: QuerySet[Referentiel] | None = None
) -> Referentiel:
    """One version with its whole tree, in five queries whatever its size."""
    queryset = queryset if queryset is not None else Referentiel.objects.all()
    return get_object_or_404(
        queryset.select_related("certification").prefetch_related(
            Prefetch(
                "blocs",
                queryset=Bloc.objects.order_by("ordre", "code").prefetch_related(
                    Prefetch(
                        "activites",
                        queryset=Activite.objects.order_by(
                            "ordre", "code"
                        ).prefetch_related(
                            Prefetch(
                                "competences",
                                queryset=Competence.objects.order_by("ordre", "code")
                                .select_related("modalite")
                                .prefetch_related(
                                    Prefetch(
                                        "criteres",
                                        queryset=Critere.objects.order_by(
                                            "ordre", "code"
                                        ),
                                    )
                                ),
                            )
                        ),
                    )
                ),
            )
        ),
        pk=pk,
    )


def get_referentiel_for(user: User, pk: int) -> Referentiel:
    """A version with its tree if the user may read it: a draft is invisible (404)
    to anyone but an administrator."""
    return referentiel_tree(pk=pk, queryset=referentiels_visible_to(user=user))


def version_label_free(*, certification_id: int) -> str:
    """The smallest whole number not yet used as a version label of the
    certification: the default label of a new draft."""
    taken = set(
        Referentiel.objects.filter(certification_id=certification_id).values_list(
            "version", flat=True
        )
    )
    number = len(taken) + 1
    while str(number) in taken:
        number += 1
    return str(number)
