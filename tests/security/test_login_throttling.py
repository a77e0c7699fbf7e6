"""django-axes: password guessing is throttled per (e-mail, IP address)."""

from axes.models import AccessAttempt
from django.test import TestCase, override_settings

from certif.roles import Role
from tests.factories import PASSWORD, make_user


@override_settings(AXES_FAILURE_LIMIT=5)
class LoginThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = make_user("candidat@example.fr", Role.CANDIDAT)
        cls.other = make_user("autre@example.fr", Role.CANDIDAT)

    def attempt(self, email: str, password: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/connexion/", {"username": email, "password": password}
        )

    def test_fifth_wrong_password_locks_the_account_from_this_address(self) -> None:
        for _ in range(4):
            response = self.attempt("candidat@example.fr", "mauvais")
            self.assertEqual(response.status_code, 200)
            self.assertContains(
                response, "Saisissez un adresse e-mail et un mot de passe valides."
            )
        response = self.attempt("candidat@example.fr", "mauvais")
        self.assertEqual(response.status_code, 429)
        self.assertContains(
            response, "Trop de tentatives de connexion", status_code=429
        )
        attempt = AccessAttempt.objects.get()
        self.assertEqual(
            (attempt.username, attempt.ip_address, attempt.failures_since_start),
            ("candidat@example.fr", "127.0.0.1", 5),
        )

        # Locked: even the right password is refused, and no session is opened.
        response = self.attempt("candidat@example.fr", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_lockout_is_per_account_and_address(self) -> None:
        for _ in range(5):
            self.attempt("candidat@example.fr", "mauvais")
        response = self.attempt("autre@example.fr", PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/")
        self.assertEqual(self.client.session["_auth_user_id"], str(self.other.pk))

    def test_success_resets_the_failure_count(self) -> None:
        for _ in range(4):
            self.attempt("candidat@example.fr", "mauvais")
        response = self.attempt("candidat@example.fr", PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(AccessAttempt.objects.count(), 0)
