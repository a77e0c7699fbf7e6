"""Forms of the référentiel app: the certifier's identity, edited in the admin."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from certif.formats import taille_lisible
from certif.uploads import IMAGES, upload_check
from referentiel.models import IMAGE_MAX_BYTES, Certificateur


class CertificateurForm(forms.ModelForm):
    """Logo and signature are PNG or JPEG images, read in their content, of at
    most IMAGE_MAX_BYTES: they are embedded into every document."""

    class Meta:
        model = Certificateur
        fields = (
            "raison_sociale",
            "siret",
            "adresse",
            "ville",
            "logo",
            "signataire_nom",
            "signataire_qualite",
            "signature",
            "recours",
            "cdc_id_client_emetteur",
            "cdc_id_client_certificateur",
            "cdc_id_contrat",
            "cdc_nature_deposant",
            "specimen",
        )

    def _image(self, field: str) -> Any:
        fichier = self.cleaned_data.get(field)
        if not fichier or not hasattr(fichier, "content_type"):
            return fichier  # empty, cleared, or the stored file unchanged
        if fichier.size > IMAGE_MAX_BYTES:
            raise ValidationError(
                _("L'image dépasse %(taille)s.")
                % {"taille": taille_lisible(IMAGE_MAX_BYTES)}
            )
        upload_check(nom=fichier.name, fichier=fichier, formats=IMAGES)
        fichier.seek(0)
        return fichier

    def clean_logo(self) -> Any:
        return self._image("logo")

    def clean_signature(self) -> Any:
        return self._image("signature")
