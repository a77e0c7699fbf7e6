"""Reading the règlements d'examen: the version in force, the versions of a
certification."""

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from certif.messages import absolute_url
from referentiel.models import Certification, ReglementExamen


def reglement_en_vigueur(certification_id: int) -> ReglementExamen | None:
    """The latest published version of the certification's règlement, or None
    when none was published."""
    return (
        ReglementExamen.objects.filter(
            certification_id=certification_id,
            statut=ReglementExamen.Statut.PUBLIE,
        )
        .select_related("certification")
        .order_by("-version")
        .first()
    )


def reglement_public_url(certification_id: int) -> str:
    """The absolute address of the public page of a certification's règlement in
    force (documents and e-mails print it)."""
    return absolute_url(
        reverse("referentiel:reglement", kwargs={"certification_pk": certification_id})
    )


def reglements_of(certification: Certification) -> QuerySet[ReglementExamen]:
    """Every version of the certification's règlement, newest first."""
    return (
        ReglementExamen.objects.filter(certification=certification)
        .select_related("publie_par")
        .defer("texte", "texte_html")
        .order_by("-version")
    )


def certifications_reglements() -> QuerySet[Certification]:
    """The certifications, each with its règlement versions (one query each
    level)."""
    return Certification.objects.order_by("intitule", "pk").prefetch_related(
        Prefetch(
            "reglements",
            queryset=ReglementExamen.objects.only(
                "pk", "certification_id", "version", "statut", "publie_le"
            ).order_by("-version"),
        )
    )
