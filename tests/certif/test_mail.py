"""The development console e-mail backend never prints an attachment's content."""

import io

from django.core.mail import EmailMessage
from django.test import SimpleTestCase

from certif.mail import ConsoleEmailBackend

SECRET = b"%PDF-1.7 Surdite severe, appareillage bilateral"


class ConsoleEmailBackendTests(SimpleTestCase):
    def test_headers_and_text_printed_attachment_content_never(self) -> None:
        stream = io.StringIO()
        message = EmailMessage(
            subject="Décision sur votre demande",
            body="Bonjour Marie,\nle courrier est joint.",
            from_email="certif@test.fr",
            to=["marie@test.fr"],
        )
        message.attach("decision-amenagement.pdf", SECRET, "application/pdf")
        message.attach("note.txt", "Surdite severe", "text/plain")
        sent = ConsoleEmailBackend(stream=stream).send_messages([message])
        output = stream.getvalue()
        self.assertEqual(sent, 1)
        self.assertNotIn("Surdite", output)
        self.assertNotIn("JVBERi", output)  # the base64 of "%PDF"
        lines = output.splitlines()
        self.assertEqual(
            lines[:4],
            [
                "From: certif@test.fr",
                "To: marie@test.fr",
                "Subject: Décision sur votre demande",
                lines[3],
            ],
        )
        self.assertEqual(
            lines[-5:],
            [
                "Bonjour Marie,",
                "le courrier est joint.",
                "[pièce jointe non affichée : decision-amenagement.pdf "
                "(application/pdf, 47 octets)]",
                "[pièce jointe non affichée : note.txt (text/plain, 14 octets)]",
                "-" * 79,
            ],
        )

    def test_default_backend_of_development(self) -> None:
        from certif.settings import base

        self.assertEqual(base.EMAIL_BACKEND, "certif.mail.ConsoleEmailBackend")
