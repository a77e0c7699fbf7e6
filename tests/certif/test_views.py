"""Home page, health check, and the account pages (login, logout, password reset,
lockout)."""

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING
from unittest import mock

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core import mail
from django.db import OperationalError, connection
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from certif.models import MessageEnvoye, User, Worker
from certif.roles import Role
from certif.workers import worker_beat
from tests.emails import assert_links, html_of
from tests.factories import PASSWORD, make_user

if TYPE_CHECKING:
    # The test client's response (with .context), a name of the stubs only.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class HomeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.candidat = make_user("candidat@example.org", Role.CANDIDAT)
        cls.sans_role = make_user("personne@example.org")

    def titles(self, user: User) -> list[str]:
        self.client.force_login(user)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        return [action.title for action in response.context["actions"]]

    def test_administrator(self) -> None:
        titles = self.titles(self.admin)
        self.assertEqual(titles[:2], ["Administration", "Référentiels"])
        response = self.client.get(reverse("home"))
        self.assertContains(response, 'href="/admin/"')
        self.assertContains(response, 'href="/referentiel/"')

    def test_candidate_has_no_administration(self) -> None:
        titles = self.titles(self.candidat)
        self.assertEqual(titles[0], "Référentiels")
        self.assertNotIn("Administration", titles)
        response = self.client.get(reverse("home"))
        self.assertNotContains(response, 'href="/admin/"')

    def test_user_without_role(self) -> None:
        self.assertEqual(self.titles(self.sans_role), [])
        response = self.client.get(reverse("home"))
        self.assertContains(
            response,
            "Votre compte n'a encore aucun rôle sur la plateforme. Contactez le "
            "certificateur.",
            count=1,
        )
        self.assertNotContains(response, "card-title")

    def test_anonymous_redirected(self) -> None:
        self.assertRedirects(
            self.client.get(reverse("home")),
            "/connexion/?next=/",
            fetch_redirect_response=False,
        )

    def test_post_not_allowed(self) -> None:
        self.client.force_login(self.admin)
        self.assertEqual(self.client.post(reverse("home")).status_code, 405)


def _task(**fields: object) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="evaluations.sessions.tasks.invitations_envoyer",
        backend_name="default",
        queue_name="default",
        **{"run_after": get_date_max(), **fields},
    )


@override_settings(SANTE_ATTENTE_MAX_SECONDS=60)
class SanteTests(TestCase):
    def test_ok(self) -> None:
        # SELECT 1, the queue, the last finished, the live workers; as many with
        # many tasks (test_queue_figures).
        with self.assertNumQueries(4):
            response = self.client.get(reverse("sante"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "status": "ok",
                "database": "ok",
                "storage": "ok",
                "workers": "ok",
                "queue": {
                    "queued": 0,
                    "oldest_wait_seconds": None,
                    "last_finished_at": None,
                    "workers_alive": 0,
                },
            },
        )
        self.assertIn("no-cache", response["Cache-Control"])
        # The storage probe leaves nothing behind.
        self.assertEqual(list((settings.PRIVATE_STORAGE_ROOT / "sante").iterdir()), [])

    def test_base_is_the_database_alone(self) -> None:
        with self.assertNumQueries(1):
            response = self.client.get(reverse("sante_base"))
        self.assertEqual(response.json(), {"status": "ok", "database": "ok"})
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertNotIn("Server-Timing", response)
        self.assertEqual(self.client.post(reverse("sante_base")).status_code, 405)

    def test_server_timing_tells_the_cpu_time_when_asked(self) -> None:
        with override_settings(SERVER_TIMING=True):
            response = Client().get(reverse("sante_base"))
        name, _sep, duree = response["Server-Timing"].partition(";dur=")
        self.assertEqual(name, "cpu")
        self.assertGreater(float(duree), 0.0)
        self.assertLess(float(duree), 1000.0)

    def test_queue_figures(self) -> None:
        now = timezone.now()
        for minutes in (0, 3, 7):
            task = _task()
            DBTaskResult.objects.filter(pk=task.pk).update(
                enqueued_at=now - timedelta(minutes=minutes)
            )
        # Scheduled later: not waiting yet.
        _task(run_after=now + timedelta(hours=1))
        finished = _task(status="SUCCESSFUL")
        DBTaskResult.objects.filter(pk=finished.pk).update(
            finished_at=timezone.make_aware(timezone.datetime(2026, 5, 4, 10, 30))
        )
        worker_beat(worker_id="w1")
        worker_beat(worker_id="w2")
        with self.assertNumQueries(4):
            response = self.client.get(reverse("sante"))
        self.assertEqual(response.status_code, 200)
        queue = response.json()["queue"]
        self.assertAlmostEqual(queue.pop("oldest_wait_seconds"), 420.0, delta=5)
        self.assertEqual(
            queue,
            {
                "queued": 3,
                "last_finished_at": "2026-05-04T10:30:00+02:00",
                "workers_alive": 2,
            },
        )

    def test_tasks_waiting_without_a_live_worker(self) -> None:
        result = _task()
        # Queued a moment ago: a worker may be restarting, no alarm yet.
        self.assertEqual(self.client.get(reverse("sante")).status_code, 200)
        DBTaskResult.objects.filter(pk=result.pk).update(
            enqueued_at=timezone.now() - timedelta(seconds=61)
        )
        response = self.client.get(reverse("sante"))
        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertEqual(
            (body["status"], body["database"], body["storage"], body["workers"]),
            ("error", "ok", "ok", "none alive"),
        )
        self.assertEqual(body["queue"]["queued"], 1)
        self.assertEqual(body["queue"]["workers_alive"], 0)
        # A worker seen long ago is dead: still 503.
        Worker.objects.create(
            worker_id="w-old",
            hote="h",
            pid=1,
            vu_le=timezone.now() - timedelta(minutes=5),
        )
        self.assertEqual(self.client.get(reverse("sante")).status_code, 503)
        # A live worker: the tasks will run.
        worker_beat(worker_id="w1")
        self.assertEqual(self.client.get(reverse("sante")).status_code, 200)
        # No task waiting, no worker: nothing is stuck.
        Worker.objects.all().delete()
        result.delete()
        self.assertEqual(self.client.get(reverse("sante")).status_code, 200)

    def test_scheduled_task_waits_from_its_time(self) -> None:
        _task(run_after=timezone.now() - timedelta(seconds=30))
        self.assertEqual(self.client.get(reverse("sante")).status_code, 200)
        _task(run_after=timezone.now() - timedelta(seconds=90))
        self.assertEqual(self.client.get(reverse("sante")).status_code, 503)

    def test_storage_unwritable(self) -> None:
        # The storage's root lies under a regular file: nothing can be written.
        blocker = settings.PRIVATE_STORAGE_ROOT / "un-fichier"
        blocker.write_bytes(b"x")
        storages = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": blocker / "prive"},
            },
        }
        try:
            with override_settings(STORAGES=storages):
                response = self.client.get(reverse("sante"))
        finally:
            blocker.unlink()
        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertEqual(
            (body["status"], body["database"], body["storage"], body["workers"]),
            ("error", "ok", "error", "ok"),
        )

    def test_database_unreachable(self) -> None:
        with mock.patch.object(
            connection, "cursor", side_effect=OperationalError("connexion refusée")
        ):
            response = self.client.get(reverse("sante"))
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            json.loads(response.content), {"status": "error", "database": "error"}
        )

    def test_post_not_allowed(self) -> None:
        self.assertEqual(self.client.post(reverse("sante")).status_code, 405)


class LoginTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = make_user("marie@example.org", Role.CANDIDAT)

    def setUp(self) -> None:
        axes_reset()

    def login(self, password: str, email: str = "marie@example.org") -> "TestResponse":
        return self.client.post(
            reverse("login"), {"username": email, "password": password}
        )

    def test_login_by_email(self) -> None:
        response = self.login(PASSWORD, email=" Marie@Example.ORG")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.user.pk)

    def test_wrong_password(self) -> None:
        response = self.login("faux")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(
            response.context["form"].errors["__all__"],
            ["Adresse e-mail ou mot de passe incorrect. Vérifiez les deux champs."],
        )

    def test_logout_is_post_only(self) -> None:
        self.client.force_login(self.user)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)
        self.assertIn("_auth_user_id", self.client.session)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, "/connexion/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    @override_settings(AXES_FAILURE_LIMIT=5)
    def test_lockout_after_five_failures(self) -> None:
        for _ in range(5):
            self.login("faux")
        response = self.login(PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertTemplateUsed(response, "registration/lockout.html")
        self.assertContains(
            response, "Trop de tentatives de connexion", status_code=429
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        axes_reset()
        self.assertRedirects(self.login(PASSWORD), "/", fetch_redirect_response=False)


class PasswordResetTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = make_user("marie@example.org", Role.CANDIDAT)

    def test_reset_sets_a_new_password(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("password_reset"), {"email": "marie@example.org"}
            )
        self.assertRedirects(
            response, reverse("password_reset_done"), fetch_redirect_response=False
        )
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["marie@example.org"])
        self.assertEqual(
            message.subject, "Votre mot de passe sur la plateforme de certification"
        )
        (lien,) = assert_links(self, message)
        self.assertEqual(
            message.body,
            "Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien :\n"
            f"{lien}\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n",
        )
        self.assertIn("<p>Si vous n'êtes pas à l'origine", html_of(message))
        # A live password link is never stored: « Mes messages » keeps the subject.
        stored = MessageEnvoye.objects.get()
        self.assertEqual(
            (stored.utilisateur, stored.corps),
            (
                self.user,
                "Le contenu de ce message, confidentiel, n'est pas conservé ici.\n",
            ),
        )
        match = re.search(
            re.escape(settings.SITE_URL) + r"(/mot-de-passe/nouveau/[^/\s]+/[^/\s]+/)",
            str(message.body),
        )
        assert match is not None, message.body
        response = self.client.get(match.group(1))
        self.assertEqual(response.status_code, 302)
        set_url = response["Location"]
        self.assertTrue(set_url.endswith("/set-password/"), set_url)
        response = self.client.post(
            set_url,
            {
                "new_password1": "Un-nouveau-mot-2026",
                "new_password2": "Un-nouveau-mot-2026",
            },
        )
        self.assertRedirects(
            response, reverse("password_reset_complete"), fetch_redirect_response=False
        )
        self.user.refresh_from_db()
        self.assertIs(self.user.check_password("Un-nouveau-mot-2026"), True)

    def test_unknown_address_sends_nothing(self) -> None:
        response = self.client.post(
            reverse("password_reset"), {"email": "inconnu@example.org"}
        )
        self.assertRedirects(
            response, reverse("password_reset_done"), fetch_redirect_response=False
        )
        self.assertEqual(mail.outbox, [])


class PasswordChangeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = make_user("marie@example.org", Role.CANDIDAT)

    def test_anonymous_redirected(self) -> None:
        self.assertRedirects(
            self.client.get(reverse("password_change")),
            "/connexion/?next=/mot-de-passe/changer/",
            fetch_redirect_response=False,
        )

    def test_change(self) -> None:
        self.client.force_login(self.user)
        self.assertEqual(self.client.get(reverse("password_change")).status_code, 200)
        response = self.client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "Un-nouveau-mot-2026",
                "new_password2": "Un-nouveau-mot-2026",
            },
        )
        self.assertRedirects(
            response, reverse("password_change_done"), fetch_redirect_response=False
        )
        self.user.refresh_from_db()
        self.assertIs(self.user.check_password("Un-nouveau-mot-2026"), True)
