from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from certif import views
from certif.forms import LoginForm, MotDePasseChangerForm

urlpatterns = [
    path("", views.home_view, name="home"),
    path("sante/", views.sante_view, name="sante"),
    path("sante/base/", views.sante_base_view, name="sante_base"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        views.password_reset_view,
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/fait/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(form_class=MotDePasseChangerForm),
        name="password_change",
    ),
    path(
        "mot-de-passe/changer/fait/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("compte/messages/", views.messages_mine_view, name="messages_mine"),
    path(
        "compte/messages/<int:pk>/",
        views.message_detail_view,
        name="message_detail",
    ),
    path("referentiel/", include("referentiel.urls")),
    path("handicap/", include("handicap.urls")),
    path("", include("evaluations.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "certif.errors.bad_request"
handler403 = "certif.errors.permission_denied"
handler404 = "certif.errors.page_not_found"
handler500 = "certif.errors.server_error"
