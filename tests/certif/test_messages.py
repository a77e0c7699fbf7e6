"""The one sender of e-mails (``certif.messages``) and « Mes messages »."""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.test import Client, TestCase, TransactionTestCase, override_settings
from django.urls import reverse

from certif.messages import GabaritInvalideError, message_send
from certif.models import MessageEnvoye, User
from tests.factories import make_user

TEMPLATES_ESSAI = [
    {
        **settings.TEMPLATES[0],
        "DIRS": [Path(__file__).parent / "templates", settings.BASE_DIR / "templates"],
    }
]


@override_settings(TEMPLATES=TEMPLATES_ESSAI)
class MessageSendTests(TestCase):
    def setUp(self) -> None:
        self.user = make_user("lea@example.org")

    def test_renders_both_parts_records_and_sends_after_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            message = message_send(
                gabarit="essai",
                destinataire="lea@example.org",
                contexte={"nom": "Léa & Zoé"},
                utilisateur=self.user,
                pieces_jointes=[("recu.pdf", b"%PDF-1.7", "application/pdf")],
            )
            self.assertEqual(mail.outbox, [])
        assert message is not None
        self.assertEqual(len(mail.outbox), 1)
        sent = mail.outbox[0]
        self.assertEqual(sent.subject, "Essai pour Léa & Zoé")
        self.assertEqual(sent.to, ["lea@example.org"])
        self.assertEqual(
            sent.body,
            "Bonjour Léa & Zoé,\n\nOuvrez l'épreuve : "
            "https://certif.test/compte/messages/\n",
        )
        assert isinstance(sent, EmailMultiAlternatives)
        html, mimetype = sent.alternatives[0]
        assert isinstance(html, str)
        self.assertEqual(mimetype, "text/html")
        self.assertIn("<p>Bonjour Léa &amp; Zoé,</p>", html)
        self.assertIn('href="https://certif.test/compte/messages/"', html)
        self.assertEqual(sent.attachments[0][0], "recu.pdf")
        stored = MessageEnvoye.objects.get()
        self.assertEqual(stored.sujet, "Essai pour Léa & Zoé")
        self.assertEqual(stored.corps, sent.body)
        self.assertEqual(stored.pieces_jointes, ["recu.pdf"])
        self.assertEqual(stored.utilisateur, self.user)

    def test_a_body_not_archived_is_sent_whole_and_never_stored(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            message_send(
                gabarit="essai",
                destinataire="lea@example.org",
                contexte={"nom": "Léa"},
                utilisateur=self.user,
                pieces_jointes=[("decision.pdf", b"%PDF-1.7", "application/pdf")],
                archiver_corps=False,
            )
        (sent,) = mail.outbox
        self.assertIn("Bonjour Léa,", sent.body)
        self.assertEqual(sent.attachments[0][0], "decision.pdf")
        stored = MessageEnvoye.objects.get()
        self.assertEqual(
            (stored.sujet, stored.corps, stored.pieces_jointes),
            (
                "Essai pour Léa",
                "Le contenu de ce message, confidentiel, n'est pas conservé ici.\n",
                ["decision.pdf"],
            ),
        )
        self.client.force_login(self.user)
        page = self.client.get(reverse("message_detail", args=[stored.pk]))
        self.assertContains(page, "n&#x27;est pas conservé ici")
        self.assertNotContains(page, "Bonjour Léa")

    def test_a_mail_server_failure_is_logged_by_message_id(self) -> None:
        with (
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=9,  # discard port: the connection is refused
                EMAIL_TIMEOUT=2,
            ),
            self.assertLogs("certif.messages", "ERROR") as logs,
            self.captureOnCommitCallbacks(execute=True),
        ):
            message = message_send(
                gabarit="essai", destinataire="lea@example.org", contexte={"nom": "L"}
            )
        assert message is not None
        self.assertEqual(
            [r.getMessage() for r in logs.records],
            [f"E-mail non envoyé (message {message.pk})"],
        )
        self.assertEqual(MessageEnvoye.objects.get().pk, message.pk)

    def test_same_key_is_sent_once(self) -> None:
        for _ in range(2):
            with self.captureOnCommitCallbacks(execute=True):
                message_send(
                    gabarit="essai",
                    destinataire="lea@example.org",
                    contexte={"nom": "Léa"},
                    cle="essai:1",
                )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(MessageEnvoye.objects.count(), 1)

    def test_nothing_is_sent_when_the_transaction_rolls_back(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    message_send(
                        gabarit="essai",
                        destinataire="lea@example.org",
                        contexte={"nom": "Léa"},
                    )
                    raise RuntimeError
            except RuntimeError:
                pass
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])
        self.assertEqual(MessageEnvoye.objects.count(), 0)

    def test_template_syntax_never_leaves(self) -> None:
        with self.assertRaises(GabaritInvalideError):
            message_send(
                gabarit="fuite", destinataire="lea@example.org", contexte={"nom": "L"}
            )
        self.assertEqual(MessageEnvoye.objects.count(), 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency")
@override_settings(TEMPLATES=TEMPLATES_ESSAI)
class MessageSendRaceTests(TransactionTestCase):
    def test_two_processes_with_the_same_key_record_one_message(self) -> None:
        barrier = threading.Barrier(2)
        results: list[object] = []

        def send() -> None:
            try:
                with transaction.atomic():
                    barrier.wait()
                    results.append(
                        message_send(
                            gabarit="essai",
                            destinataire="lea@example.org",
                            contexte={"nom": "Léa"},
                            cle="course:1",
                        )
                    )
            finally:
                connection.close()

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(r is None for r in results), [False, True])
        self.assertEqual(MessageEnvoye.objects.filter(cle="course:1").count(), 1)
        self.assertEqual(len(mail.outbox), 1)


class MessagesPageTests(TestCase):
    def setUp(self) -> None:
        self.user = make_user("lea@example.org")
        self.other = make_user("max@example.org")
        self.client = Client()
        self.client.force_login(self.user)

    def _message(self, user: User, sujet: str) -> MessageEnvoye:
        return MessageEnvoye.objects.create(
            utilisateur=user,
            destinataire="x@example.org",
            gabarit="essai",
            sujet=sujet,
            corps="Bonjour,\nvoir https://certif.test/",
        )

    def test_lists_only_own_messages_in_a_fixed_number_of_queries(self) -> None:
        self._message(self.user, "Votre reçu")
        self._message(self.other, "Pas pour vous")
        url = reverse("messages_mine")
        with self.assertNumQueries(5) as one:
            response = self.client.get(url)
        self.assertContains(response, "Votre reçu")
        self.assertNotContains(response, "Pas pour vous")
        for n in range(30):
            self._message(self.user, f"Message {n}")
        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get(url)
        self.assertContains(response, "Page 1 sur 2")

    def test_detail_of_own_message_and_404_for_another(self) -> None:
        own = self._message(self.user, "Votre reçu")
        other = self._message(self.other, "Pas pour vous")
        response = self.client.get(reverse("message_detail", args=[own.pk]))
        self.assertContains(response, "Votre reçu")
        self.assertContains(response, 'href="https://certif.test/"')
        response = self.client.get(reverse("message_detail", args=[other.pk]))
        self.assertEqual(response.status_code, 404)

    def test_anonymous_is_sent_to_login_and_post_is_405(self) -> None:
        self.assertEqual(self.client.post(reverse("messages_mine")).status_code, 405)
        anonymous = Client()
        response = anonymous.get(reverse("messages_mine"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
