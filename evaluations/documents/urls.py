"""URLs of the documents area (namespace ``evaluations``: see ``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.documents import views

urlpatterns: list[URLPattern] = [
    path("documents/", views.documents_mine_view, name="documents_mine"),
    path(
        "documents/<int:pk>/telecharger/",
        views.document_download_view,
        name="document_download",
    ),
    path(
        "documents/<int:pk>/revoquer/",
        views.document_revoke_view,
        name="document_revoke",
    ),
    path(
        "documents/<int:pk>/reediter/",
        views.document_reissue_view,
        name="document_reissue",
    ),
    path(
        "documents/<int:pk>/scan-signe/",
        views.pv_scan_attach_view,
        name="pv_scan_attach",
    ),
    path(
        "documents/<int:pk>/scan-signe/telecharger/",
        views.pv_scan_download_view,
        name="pv_scan_download",
    ),
    path(
        "documents/sessions/",
        views.emission_sessions_view,
        name="emission_sessions",
    ),
    path(
        "documents/sessions/<int:pk>/",
        views.emission_session_view,
        name="emission_session",
    ),
    path(
        "documents/sessions/<int:pk>/emettre/",
        views.emission_launch_view,
        name="emission_launch",
    ),
    path(
        "documents/emissions/<int:pk>/",
        views.emission_detail_view,
        name="emission_detail",
    ),
    path(
        "documents/emissions/<int:pk>/archive/",
        views.emission_archive_view,
        name="emission_archive",
    ),
    path("verification/", views.verification_form_view, name="verification"),
    path(
        "verification/<str:code>/",
        views.verification_code_view,
        name="verification_code",
    ),
]
