"""Logins, password resets and sessions under attack (issue 12, items 5, 7, 10):
lockout by (account, client address) behind the proxy and lifted by a password
reset; reset e-mails sent from a background task with limits per address and
per client; sessions ended by the browser or by idleness; logged-in pages never
cached."""

import re

import time_machine
from django.conf import settings
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks import default_task_backend

from certif.roles import Role
from evaluations.documents.models import Document
from handicap.models import DemandeAmenagement
from tests.factories import PASSWORD, make_user
from tests.test_permission_matrix import World

PROXY = "10.0.0.9"


@override_settings(AXES_FAILURE_LIMIT=5, TRUSTED_PROXIES=1)
class LockoutBehindTheProxyTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = make_user("president@example.fr", Role.PRESIDENT)

    def login(self, password: str, client_ip: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/connexion/",
            {"username": "president@example.fr", "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_ip}",
        )

    def test_an_attacker_locks_only_their_own_address(self) -> None:
        statuses = [self.login("mauvais", "1.2.3.4").status_code for _ in range(5)]
        self.assertEqual(statuses, [200, 200, 200, 200, 429])
        self.assertEqual(self.login(PASSWORD, "1.2.3.4").status_code, 429)
        # The president, behind the same proxy but from another address.
        response = self.login(PASSWORD, "5.6.7.8")
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_a_password_reset_lifts_the_lockout(self) -> None:
        for _ in range(5):
            self.login("mauvais", "1.2.3.4")
        self.assertEqual(self.login(PASSWORD, "1.2.3.4").status_code, 429)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("password_reset"), {"email": "president@example.fr"}
            )
        (message,) = mail.outbox
        match = re.search(
            re.escape(settings.SITE_URL) + r"(/mot-de-passe/nouveau/\S+/)",
            str(message.body),
        )
        assert match is not None, message.body
        set_url = self.client.get(match.group(1))["Location"]
        self.client.post(
            set_url,
            {
                "new_password1": "Neuf-et-long-2026",
                "new_password2": "Neuf-et-long-2026",
            },
        )
        response = self.login("Neuf-et-long-2026", "1.2.3.4")
        self.assertRedirects(response, "/", fetch_redirect_response=False)


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
)
class PasswordResetInTheBackgroundTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        make_user("marie@example.org", Role.CANDIDAT)

    def setUp(self) -> None:
        default_task_backend.clear()  # type: ignore[attr-defined]

    def test_known_and_unknown_addresses_get_the_same_answer(self) -> None:
        known = self.client.post(
            reverse("password_reset"), {"email": "Marie@example.org"}
        )
        unknown = self.client.post(
            reverse("password_reset"), {"email": "inconnu@example.org"}
        )
        self.assertEqual(
            (known.status_code, known["Location"]),
            (unknown.status_code, unknown["Location"]),
        )
        self.assertEqual(known["Location"], reverse("password_reset_done"))
        # Nothing sent during the request; one task each, the same work queued.
        self.assertEqual(mail.outbox, [])
        self.assertEqual(
            [
                (r.task.name, r.kwargs)
                for r in default_task_backend.results  # type: ignore[attr-defined]
            ],
            [
                ("password_reset_send", {"email": "marie@example.org"}),
                ("password_reset_send", {"email": "inconnu@example.org"}),
            ],
        )


class PasswordResetLimitsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        make_user("marie@example.org", Role.CANDIDAT)

    def reset(self, email: str, ip: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip
            )

    @override_settings(PASSWORD_RESET_PAR_ADRESSE=3, PASSWORD_RESET_WINDOW=3600)
    def test_per_address(self) -> None:
        with time_machine.travel(1_800_000_000, tick=False):
            statuses = [
                self.reset("marie@example.org", f"10.0.0.{i}").status_code
                for i in range(4)
            ]
            self.assertEqual(statuses, [302, 302, 302, 429])
            self.assertEqual(len(mail.outbox), 3)
            refused = self.reset("MARIE@example.org", "10.0.1.1")
            self.assertContains(
                refused,
                "Vous avez fait trop de demandes en peu de temps. Réessayez dans "
                "60 minutes.",
                status_code=429,
            )
            self.assertEqual(refused["Retry-After"], "3600")
            # An unknown address is limited the same way (no difference to read).
            statuses = [
                self.reset("inconnu@example.org", f"10.0.2.{i}").status_code
                for i in range(4)
            ]
            self.assertEqual(statuses, [302, 302, 302, 429])
        with time_machine.travel(1_800_003_600, tick=False):
            self.assertEqual(self.reset("marie@example.org").status_code, 302)
        self.assertEqual(len(mail.outbox), 4)

    @override_settings(PASSWORD_RESET_PAR_CLIENT=10)
    def test_per_client(self) -> None:
        statuses = [
            self.reset(f"x{i}@example.org", "1.2.3.4").status_code for i in range(11)
        ]
        self.assertEqual(statuses, [302] * 10 + [429])
        self.assertEqual(self.reset("x11@example.org", "5.6.7.8").status_code, 302)

    def test_wrong_method_and_bad_input(self) -> None:
        self.assertEqual(self.client.put(reverse("password_reset")).status_code, 405)
        response = self.reset("pas-une-adresse")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["email"],
            ["Saisissez une adresse de courriel valide."],
        )
        self.assertEqual(mail.outbox, [])


class SessionLifetimeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = make_user("marie@example.org", Role.CANDIDAT)

    def login(self) -> None:
        response = self.client.post(
            "/connexion/", {"username": "marie@example.org", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 302)
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        # A browser session cookie: no expiry, gone when the browser closes.
        self.assertEqual((cookie["expires"], cookie["max-age"]), ("", ""))

    @override_settings(SESSION_COOKIE_AGE=3600)
    def test_the_session_ends_after_the_idle_time(self) -> None:
        start = 1_800_000_000
        with time_machine.travel(start, tick=False):
            self.login()
        with time_machine.travel(start + 3601, tick=False):
            response = self.client.get("/")
        self.assertRedirects(
            response, "/connexion/?next=/", fetch_redirect_response=False
        )

    @override_settings(SESSION_COOKIE_AGE=3600)
    def test_activity_keeps_the_session(self) -> None:
        start = 1_800_000_000
        with time_machine.travel(start, tick=False):
            self.login()
        for elapsed in (1800, 3400, 5000, 6600):
            with time_machine.travel(start + elapsed, tick=False):
                self.assertEqual(self.client.get("/").status_code, 200, elapsed)


class NoStoreTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World.build()

    def assert_no_store(self, url: str, persona: str) -> None:
        self.client.force_login(self.w.personas[persona])
        response = self.client.get(url)
        if response.streaming:  # read to the end: the test client then closes it
            b"".join(response.streaming_content)  # type: ignore[arg-type]
        self.assertEqual(response.status_code, 200, url)
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        self.assertTrue({"private", "no-store"} <= directives, (url, directives))

    def test_health_data_personal_documents_and_every_logged_in_page(self) -> None:
        demande = DemandeAmenagement.objects.get()
        self.assert_no_store(
            reverse("handicap:demande_detail", args=[demande.pk]), "ref"
        )
        document = Document.objects.filter(
            inscription__candidat__user=self.w.personas["cand"]
        ).first()
        assert document is not None
        self.assert_no_store(
            reverse("evaluations:document_download", args=[document.pk]), "cand"
        )
        self.assert_no_store("/", "cand")
        self.assert_no_store("/", "admin")

    def test_anonymous_public_page_is_not_marked(self) -> None:
        response = self.client.get(reverse("password_reset"))
        self.assertNotIn("no-store", response.get("Cache-Control", ""))
