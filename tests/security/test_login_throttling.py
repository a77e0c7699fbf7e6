"""django-axes: password guessing is throttled per (e-mail, IP address).

The plain lockout after five failures is tested in tests/certif/test_views.py; here,
what depends on axes knowing *which account* is attacked (AXES_USERNAME_FORM_FIELD):
failures recorded under the e-mail, one account's failures never locking another,
a success resetting the count."""

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

    def test_failures_are_recorded_under_the_account(self) -> None:
        statuses = [
            self.attempt("Candidat@Example.fr", "mauvais").status_code for _ in range(5)
        ]
        self.assertEqual(statuses, [200, 200, 200, 200, 429])
        attempt = AccessAttempt.objects.get()
        self.assertEqual(
            (attempt.username, attempt.ip_address, attempt.failures_since_start),
            ("candidat@example.fr", "127.0.0.1", 5),
        )

    def test_failures_on_one_account_do_not_lock_another(self) -> None:
        for _ in range(3):
            self.attempt("candidat@example.fr", "mauvais")
        statuses = [
            self.attempt("autre@example.fr", "mauvais").status_code for _ in range(2)
        ]
        self.assertEqual(statuses, [200, 200])
        response = self.attempt("autre@example.fr", PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/")
        self.assertEqual(self.client.session["_auth_user_id"], str(self.other.pk))

    def test_locked_account_stays_locked_for_the_right_password(self) -> None:
        for _ in range(5):
            self.attempt("candidat@example.fr", "mauvais")
        response = self.attempt("candidat@example.fr", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another account from the same address still logs in.
        self.assertEqual(self.attempt("autre@example.fr", PASSWORD).status_code, 302)

    def test_success_resets_the_failure_count(self) -> None:
        for _ in range(4):
            self.attempt("candidat@example.fr", "mauvais")
        response = self.attempt("candidat@example.fr", PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(AccessAttempt.objects.count(), 0)
