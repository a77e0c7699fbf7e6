"""Django admin of the evaluations app. Sessions, candidates and enrolments are
managed in the platform's own pages (their services check the rules); the admin
shows them with their history, read-only for deliverables."""

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from evaluations.models import Candidat, Inscription, Livrable, Session


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    list_display = ("nom", "referentiel", "statut", "date_limite_depot", "date_jury")
    list_filter = ("statut",)
    search_fields = ("nom",)
    list_select_related = ("referentiel__certification",)
    readonly_fields = ("statut", "close_le")


@admin.register(Candidat)
class CandidatAdmin(SimpleHistoryAdmin):
    list_display = ("nom_naissance", "prenom1", "date_naissance", "user", "invite_le")
    search_fields = ("nom_naissance", "nom_usage", "prenom1", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("invite_le",)


@admin.register(Inscription)
class InscriptionAdmin(SimpleHistoryAdmin):
    list_display = ("candidat", "session", "voie_acces", "parcours")
    list_filter = ("parcours", "voie_acces")
    search_fields = ("candidat__nom_naissance", "candidat__user__email")
    list_select_related = ("candidat", "session")
    raw_id_fields = ("candidat", "session")


@admin.register(Livrable)
class LivrableAdmin(admin.ModelAdmin):
    """Read-only: files come only from the candidate's upload, and nothing is
    ever deleted."""

    list_display = ("nom_original", "version", "inscription", "depose_le", "retire_le")
    list_select_related = ("inscription__candidat", "inscription__session")
    search_fields = ("nom_original", "sha256", "inscription__candidat__nom_naissance")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Livrable | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Livrable | None = None
    ) -> bool:
        return False
