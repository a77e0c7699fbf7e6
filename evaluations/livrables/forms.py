"""Forms of the deliverables area."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        # Empty files reach the service, which refuses them with its own message.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        if isinstance(data, list | tuple):
            data = None
        return [single(data, initial)]


class DepotForm(forms.Form):
    fichiers = MultipleFileField(
        label=_("Fichiers"),
        help_text=_(
            "PDF, DOCX, ODT, PPTX, ODP, XLSX ou ODS. Un fichier du même nom "
            "qu'un fichier déjà déposé en devient la nouvelle version."
        ),
    )
