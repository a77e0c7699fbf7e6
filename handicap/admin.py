"""Read-only admin of the non-confidential rows of the handicap app.

Deliberately not registered: ``DemandeAmenagement`` (its needs description) and
``PieceJustificative`` (the documents). Every write goes through the services
(decisions by the référent handicap and the president); the admin only shows the
decisions, their history and the access log."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from handicap.models import AccesConfidentiel, Amenagement, AvisMotive, Dispense


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    pass


@admin.register(Amenagement)
class AmenagementAdmin(ReadOnlyHistoryAdmin):
    list_display = ("demande_id", "type", "modalite", "precision")
    list_filter = ("type",)
    fields = ("type", "modalite", "precision", "description", "ordre")
    list_select_related = ("modalite",)


@admin.register(AvisMotive)
class AvisMotiveAdmin(ReadOnlyHistoryAdmin):
    list_display = ("demande_id", "redige_par", "redige_le")
    fields = ("texte", "redige_par", "redige_le")
    list_select_related = ("redige_par",)


@admin.register(Dispense)
class DispenseAdmin(ReadOnlyHistoryAdmin):
    list_display = ("inscription_id", "critere", "accordee", "decide_par", "decide_le")
    list_filter = ("accordee",)
    fields = (
        "critere",
        "accordee",
        "condition_capacite_globale",
        "condition_pratique_future",
        "raisonnement",
        "decide_par",
        "decide_le",
    )
    list_select_related = ("critere", "decide_par")


@admin.register(AccesConfidentiel)
class AccesConfidentielAdmin(ReadOnlyAdmin):
    list_display = ("le", "utilisateur", "action", "objet", "demande_id", "piece_id")
    list_filter = ("action", "objet")
    fields = ("le", "utilisateur", "action", "objet", "demande_id", "piece_id")
    list_select_related = ("utilisateur",)
