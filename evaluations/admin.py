"""Django admin of the evaluations app, read-only: sessions, candidates, enrolments
and deliverables are written only by their services (through the platform's own
pages), which check the rules the admin would bypass — a published référentiel,
the status transitions, duplicates, capitalised blocs, file checks. The admin
shows the rows and their history; issued documents, emissions, publications
of results and appeals likewise.

The exception: the places of the live épreuves (sites and their rooms) have no
rule beyond their constraints (a room has at least one place, names are unique),
so the administrator edits them here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from evaluations.declarations.models import DeclarationCDC, LotCDC
from evaluations.documents.models import Document, EmissionSession
from evaluations.epreuves.models import Passage, Salle, Site
from evaluations.livrables.models import Livrable
from evaluations.recours.models import PieceRecours, Recours
from evaluations.resultats.models import PublicationResultats
from evaluations.sessions.models import Candidat, Inscription, Session


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("nom", "referentiel", "statut", "date_limite_depot", "date_jury")
    list_filter = ("statut",)
    search_fields = ("nom",)
    list_select_related = ("referentiel__certification",)


@admin.register(Candidat)
class CandidatAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("nom_naissance", "prenom1", "date_naissance", "user", "invite_le")
    search_fields = ("nom_naissance", "nom_usage", "prenom1", "user__email")
    list_select_related = ("user",)


@admin.register(Inscription)
class InscriptionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("candidat", "session", "voie_acces", "parcours")
    list_filter = ("parcours", "voie_acces")
    search_fields = ("candidat__nom_naissance", "candidat__user__email")
    list_select_related = ("candidat", "session")


@admin.register(Livrable)
class LivrableAdmin(ReadOnlyMixin, admin.ModelAdmin[Livrable]):
    list_display = ("nom_original", "version", "inscription", "depose_le", "retire_le")
    list_select_related = ("inscription__candidat", "inscription__session")
    search_fields = ("nom_original", "sha256", "inscription__candidat__nom_naissance")


@admin.register(Document)
class DocumentAdmin(ReadOnlyMixin, admin.ModelAdmin[Document]):
    """Issued documents, read-only: they are issued, re-issued and revoked (with a
    reason) from the platform's documents pages. The file itself is downloaded
    there, after the permission check, so the admin does not link to it."""

    list_display = ("code", "nature", "version", "statut", "inscription", "emis_le")
    list_filter = ("nature", "statut")
    search_fields = ("code", "sha256", "inscription__candidat__nom_naissance")
    list_select_related = ("inscription__candidat", "inscription__session")
    exclude = ("fichier",)


@admin.register(EmissionSession)
class EmissionSessionAdmin(ReadOnlyMixin, admin.ModelAdmin[EmissionSession]):
    list_display = ("session", "statut", "faits", "total", "lancee_le", "terminee_le")
    list_filter = ("statut",)
    list_select_related = ("session",)
    exclude = ("archive",)


@admin.register(PublicationResultats)
class PublicationResultatsAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """The publications of results and their history (who scheduled, moved,
    cancelled; when the platform started and closed them)."""

    list_display = (
        "session",
        "statut",
        "prevue_le",
        "programmee_par",
        "publiee_le",
        "faits",
        "total",
    )
    list_filter = ("statut",)
    list_select_related = ("session", "programmee_par")


class PieceRecoursInline(admin.TabularInline[PieceRecours, Recours]):
    model = PieceRecours
    fields = ("nom_original", "taille", "sha256", "type_mime", "depose_le")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Recours)
class RecoursAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """The appeals, their documents (names and fingerprints: the files are read
    from the appeal's page, after its permission check) and their history."""

    list_display = ("__str__", "statut", "issue", "depose_le", "decide_le")
    list_filter = ("statut", "issue")
    list_select_related = ("inscription__candidat", "inscription__session")
    inlines = (PieceRecoursInline,)


class SalleInline(admin.TabularInline[Salle, Site]):
    model = Salle
    fields = ("nom", "capacite", "accessible_pmr")
    extra = 1


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ("nom", "adresse")
    search_fields = ("nom", "adresse")
    inlines = (SalleInline,)


@admin.register(Passage)
class PassageAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("debut", "inscription", "salle", "duree_minutes", "presence")
    list_filter = ("presence",)
    list_select_related = ("inscription__candidat", "salle__site")


@admin.register(LotCDC)
class LotCDCAdmin(ReadOnlyMixin, admin.ModelAdmin[LotCDC]):
    """Declaration batches, read-only: built, deposited and answered from the
    platform's « Déclarations CDC » pages, which check the rules."""

    list_display = (
        "pk",
        "certification",
        "statut",
        "total",
        "construit_le",
        "depose_le",
    )
    list_filter = ("statut",)
    list_select_related = ("certification",)
    exclude = ("fichier",)


@admin.register(DeclarationCDC)
class DeclarationCDCAdmin(ReadOnlyMixin, admin.ModelAdmin[DeclarationCDC]):
    list_display = ("id_technique", "lot", "statut", "repondu_le")
    list_filter = ("statut",)
    search_fields = ("id_technique", "inscription__candidat__nom_naissance")
    list_select_related = ("lot", "inscription__candidat")
