"""French error pages (400, 429, 500) and server errors mailed to ADMINS
(issue 12, item 11)."""

from django.core import mail
from django.test import TestCase, override_settings

from certif.roles import Role
from tests.factories import make_user


class BadRequestTests(TestCase):
    def test_a_bad_host_gets_the_french_400_page(self) -> None:
        response = self.client.get("/connexion/", HTTP_HOST="pirate.example")
        self.assertContains(response, "Requête invalide", status_code=400)
        self.assertContains(
            response,
            "La page n'a pas pu traiter cette demande : elle est incomplète ou mal "
            "formée.",
            status_code=400,
        )
        self.assertNotContains(response, "Bad Request", status_code=400)

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
    def test_too_many_fields_gets_the_french_400_page(self) -> None:
        make_user("a@example.fr", Role.CANDIDAT)
        data = {f"champ{i}": "x" for i in range(10)}
        response = self.client.post("/connexion/", data)
        self.assertContains(response, "Requête invalide", status_code=400)


@override_settings(ROOT_URLCONF="tests.certif.urls_boom")
class ServerErrorTests(TestCase):
    def setUp(self) -> None:
        self.client.raise_request_exception = False

    @override_settings(ADMINS=[("", "exploitation@example.fr")])
    def test_the_error_is_mailed_and_the_page_says_so(self) -> None:
        response = self.client.get("/panne/")
        self.assertContains(
            response,
            "L'erreur a été envoyée aux administrateurs de la plateforme.",
            status_code=500,
        )
        (message,) = mail.outbox
        self.assertEqual(message.to, ["exploitation@example.fr"])
        self.assertEqual(
            message.subject,
            "[certif] ERROR (EXTERNAL IP): Internal Server Error: /panne/",
        )
        self.assertIn("RuntimeError at /panne/\npanne simulée", str(message.body))

    @override_settings(ADMINS=[])
    def test_without_admins_the_page_claims_nothing(self) -> None:
        response = self.client.get("/panne/")
        self.assertContains(
            response,
            "Si l'erreur persiste, signalez-la à l'administrateur de la plateforme.",
            status_code=500,
        )
        self.assertNotContains(response, "prévenue", status_code=500)
        self.assertEqual(mail.outbox, [])
