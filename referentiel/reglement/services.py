"""Writing the règlement d'examen: a draft per certification at a time, edited
until it is published; a published version never changes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.models import User
from referentiel.models import Certification, ReglementExamen
from referentiel.reglement.markdown import markdown_html

TEXTE_INITIAL = _(
    "# Règlement d'examen\n\n"
    "## Inscription et aménagements\n\n"
    "## Déroulement des épreuves et règles de conduite\n\n"
    "## Fraude\n\n"
    "## Résultats et recours\n"
)


def _locked(reglement: ReglementExamen) -> ReglementExamen:
    return ReglementExamen.objects.select_for_update().get(pk=reglement.pk)


@transaction.atomic
def reglement_brouillon_create(
    *, certification: Certification, by: User
) -> ReglementExamen:
    """The certification's draft: the existing one, or a new version that starts
    from the version in force (its text and delays)."""
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    brouillon = ReglementExamen.objects.filter(
        certification=certification, statut=ReglementExamen.Statut.BROUILLON
    ).first()
    if brouillon is not None:
        return brouillon
    precedent = (
        ReglementExamen.objects.filter(certification=certification)
        .order_by("-version")
        .first()
    )
    dernier = ReglementExamen.objects.filter(certification=certification).aggregate(
        n=Max("version")
    )["n"]
    reglement = ReglementExamen(
        certification=certification,
        version=(dernier or 0) + 1,
        texte=precedent.texte if precedent else str(TEXTE_INITIAL),
    )
    if precedent is not None:
        reglement.delai_recours_mois = precedent.delai_recours_mois
        reglement.delai_amenagements_jours = precedent.delai_amenagements_jours
    reglement._history_user = by  # type: ignore[attr-defined]
    reglement.full_clean()
    reglement.save()
    return reglement


def _publie_error(reglement: ReglementExamen) -> ValidationError:
    return ValidationError(
        _(
            "La version %(version)d est publiée : elle ne change plus. Créez une "
            "nouvelle version pour modifier le règlement."
        )
        % {"version": reglement.version}
    )


@transaction.atomic
def reglement_update(
    *,
    reglement: ReglementExamen,
    texte: str,
    delai_recours_mois: int,
    delai_amenagements_jours: int,
    by: User,
) -> ReglementExamen:
    """Edit a draft (refused once published, state read under the row lock)."""
    reglement = _locked(reglement)
    if reglement.est_publie:
        raise _publie_error(reglement)
    reglement.texte = texte
    reglement.delai_recours_mois = delai_recours_mois
    reglement.delai_amenagements_jours = delai_amenagements_jours
    reglement._history_user = by  # type: ignore[attr-defined]
    reglement.full_clean()
    reglement.save()
    return reglement


@transaction.atomic
def reglement_publish(*, reglement: ReglementExamen, by: User) -> ReglementExamen:
    """Publish a draft: its HTML is rendered once and frozen; it is the version in
    force from now on."""
    reglement = _locked(reglement)
    if reglement.est_publie:
        raise _publie_error(reglement)
    if not reglement.texte.strip():
        raise ValidationError(_("Le texte du règlement est vide."))
    reglement.texte_html = markdown_html(reglement.texte)
    reglement.statut = ReglementExamen.Statut.PUBLIE
    reglement.publie_le = timezone.now()
    reglement.publie_par = by
    reglement._history_user = by  # type: ignore[attr-defined]
    reglement.full_clean()
    reglement.save()
    return reglement
