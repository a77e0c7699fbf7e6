from django import forms

from referentiel.models import ReglementExamen


class ReglementForm(forms.ModelForm):
    class Meta:
        model = ReglementExamen
        fields = ("texte", "delai_recours_mois", "delai_amenagements_jours")
        widgets = {"texte": forms.Textarea(attrs={"rows": 24})}
