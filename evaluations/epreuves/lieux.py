"""Writes of the places where sittings happen: the administrator's sites and
rooms. A site or a room that a sitting uses (past or future) stays: deleting it
is refused with the number of sittings, under the row lock, so that a sitting
placed meanwhile is counted."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluations.epreuves.models import Passage, Salle, Site


@dataclass(frozen=True)
class SiteSaisi:
    nom: str
    adresse: str
    acces: str = ""


@dataclass(frozen=True)
class SalleSaisie:
    nom: str
    capacite: int
    accessible_pmr: bool = False


def _site_fill(site: Site, saisi: SiteSaisi) -> Site:
    if Site.objects.filter(nom=saisi.nom).exclude(pk=site.pk).exists():
        raise ValidationError({"nom": _("Un site de ce nom existe déjà.")})
    site.nom, site.adresse, site.acces = saisi.nom, saisi.adresse, saisi.acces
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def site_create(*, saisi: SiteSaisi) -> Site:
    return _site_fill(Site(), saisi)


@transaction.atomic
def site_update(*, site: Site, saisi: SiteSaisi) -> Site:
    return _site_fill(Site.objects.select_for_update().get(pk=site.pk), saisi)


@transaction.atomic
def site_delete(*, site: Site) -> None:
    """Delete a site and its rooms, unless a sitting uses one of them."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    salles = Salle.objects.select_for_update().filter(site=site)
    list(salles)  # lock the rooms before counting their sittings
    n = Passage.objects.filter(salle__site=site).count()
    if n:
        raise ValidationError(
            ngettext(
                "Le site %(site)s accueille %(n)d passage : il ne peut pas être "
                "supprimé.",
                "Le site %(site)s accueille %(n)d passages : il ne peut pas être "
                "supprimé.",
                n,
            )
            % {"site": site.nom, "n": n}
        )
    salles.delete()
    site.delete()


def _salle_fill(salle: Salle, saisie: SalleSaisie) -> Salle:
    if (
        Salle.objects.filter(site_id=salle.site_id, nom=saisie.nom)
        .exclude(pk=salle.pk)
        .exists()
    ):
        raise ValidationError(
            {"nom": _("Une salle de ce nom existe déjà sur ce site.")}
        )
    salle.nom = saisie.nom
    salle.capacite = saisie.capacite
    salle.accessible_pmr = saisie.accessible_pmr
    salle.full_clean()
    salle.save()
    return salle


@transaction.atomic
def salle_create(*, site: Site, saisie: SalleSaisie) -> Salle:
    return _salle_fill(Salle(site=site), saisie)


@transaction.atomic
def salle_update(*, salle: Salle, saisie: SalleSaisie) -> Salle:
    return _salle_fill(
        Salle.objects.select_for_update().select_related("site").get(pk=salle.pk),
        saisie,
    )


@transaction.atomic
def salle_delete(*, salle: Salle) -> None:
    """Delete a room, unless a sitting uses it."""
    salle = Salle.objects.select_for_update().select_related("site").get(pk=salle.pk)
    n = Passage.objects.filter(salle=salle).count()
    if n:
        raise ValidationError(
            ngettext(
                "La salle %(salle)s accueille %(n)d passage : elle ne peut pas être "
                "supprimée.",
                "La salle %(salle)s accueille %(n)d passages : elle ne peut pas être "
                "supprimée.",
                n,
            )
            % {"salle": str(salle), "n": n}
        )
    salle.delete()
