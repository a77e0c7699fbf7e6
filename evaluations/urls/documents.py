from django.urls import URLPattern, path

from evaluations.views import documents, verification

urlpatterns: list[URLPattern] = [
    path("documents/", documents.documents_mine_view, name="documents_mine"),
    path(
        "documents/<int:pk>/telecharger/",
        documents.document_download_view,
        name="document_download",
    ),
    path(
        "documents/<int:pk>/revoquer/",
        documents.document_revoke_view,
        name="document_revoke",
    ),
    path(
        "documents/sessions/",
        documents.emission_sessions_view,
        name="emission_sessions",
    ),
    path(
        "documents/sessions/<int:pk>/",
        documents.emission_session_view,
        name="emission_session",
    ),
    path(
        "documents/sessions/<int:pk>/emettre/",
        documents.emission_launch_view,
        name="emission_launch",
    ),
    path(
        "documents/emissions/<int:pk>/",
        documents.emission_detail_view,
        name="emission_detail",
    ),
    path(
        "documents/emissions/<int:pk>/archive/",
        documents.emission_archive_view,
        name="emission_archive",
    ),
    path("verification/", verification.verification_form_view, name="verification"),
    path(
        "verification/<str:code>/",
        verification.verification_code_view,
        name="verification_code",
    ),
]
