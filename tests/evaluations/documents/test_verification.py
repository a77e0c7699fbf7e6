"""The public verification pages: by code, by QR URL, by file hash; revoked and
unknown codes; rate limiting."""

from pathlib import Path

import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings

from evaluations.documents.models import Document
from evaluations.documents.services import document_revoke
from evaluations.documents.views import RATE_LIMIT
from tests.clock import frozen
from tests.evaluations.documents.test_documents import current, file_bytes, issue
from tests.evaluations.factories_documents import make_scenario


class VerificationBase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        issue(cls.sc)
        cls.parchemin = current(cls.sc.certifie.pk, "parchemin")
        cls.attestation = current(cls.sc.partiel.pk, "attestation")
        cls.releve = current(cls.sc.certifie.pk, "releve")

    def setUp(self) -> None:
        cache.clear()

    def url(self, document: Document) -> str:
        return f"/verification/{document.code}/"


class VerificationPageTests(VerificationBase):
    def test_valid_parchemin_shows_exactly_the_public_fields(self) -> None:
        response = self.client.get(self.url(self.parchemin))
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "<strong>Document valide.</strong> Ce document a été émis par le "
            "certificateur et n'a pas été révoqué.",
        )
        for label, value in (
            ("Document", "Parchemin"),
            ("Titulaire", "Marie DUPONT"),
            ("Certification", "Petite certification"),
            ("Code RNCP", "RNCP99999"),
            ("Statut", "Valide"),
            ("Code de vérification", f"<code>{self.parchemin.code_affiche}</code>"),
        ):
            self.assertContains(
                response,
                f'<dt class="col-sm-4">{label}</dt><dd class="col-sm-8">{value}</dd>',
                html=True,
            )
        self.assertContains(response, "<li>RNCP99999BC01 — Bloc 1</li>", html=True)
        self.assertContains(response, "<li>RNCP99999BC02 — Bloc 2</li>", html=True)
        self.assertEqual(
            response.context["s"].date_decision,
            self.parchemin.snapshot["date_decision"],
        )

    def test_no_other_personal_data(self) -> None:
        response = self.client.get(self.url(self.parchemin))
        content = response.content.decode()
        for private in ("1995", "14/03", "marie@test.fr", "Paris", "75056", "Féminin"):
            self.assertNotIn(private, content)

    def test_attestation_lists_the_validated_blocs_only(self) -> None:
        response = self.client.get(self.url(self.attestation))
        self.assertContains(response, "Attestation de blocs de compétences")
        self.assertContains(response, "Hugo LEROY")
        self.assertContains(response, "<li>RNCP99999BC01 — Bloc 1</li>", html=True)
        self.assertNotContains(response, "B2 — Bloc 2")

    def test_revoked(self) -> None:
        with frozen():
            document_revoke(
                document=self.parchemin, by=self.sc.admin, motif="Fraude à l'examen."
            )
        document = Document.objects.get(pk=self.parchemin.pk)
        response = self.client.get(self.url(document))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Document révoqué.")
        self.assertContains(response, "Révoqué le 18 mars 2026.")
        self.assertContains(response, "Motif : Fraude à l&#x27;examen.")
        self.assertNotContains(response, "Document valide.")

    def test_code_typed_loosely_redirects_to_the_canonical_page(self) -> None:
        loose = self.parchemin.code_affiche.lower()
        response = self.client.get(f"/verification/{loose}/")
        self.assertRedirects(response, self.url(self.parchemin))

    def test_unknown_code_is_a_clear_404(self) -> None:
        response = self.client.get("/verification/AAAAAAAAAAAAAAAA/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Code inconnu", status_code=404)
        self.assertContains(
            response,
            "Aucun certificat ni attestation ne porte le code « AAAAAAAAAAAAAAAA »",
            status_code=404,
        )

    def test_a_releve_code_is_not_verifiable(self) -> None:
        response = self.client.get(self.url(self.releve))
        self.assertContains(response, "Code inconnu", status_code=404)

    def test_qr_url_printed_on_the_pdf_opens_this_page(self) -> None:
        url = f"{settings.SITE_URL}/verification/{self.parchemin.code}/"
        path = url.removeprefix(settings.SITE_URL)
        self.assertContains(self.client.get(path), "Document valide.")

    def test_wrong_method(self) -> None:
        self.assertEqual(self.client.put(self.url(self.parchemin)).status_code, 405)


class CodeFormTests(VerificationBase):
    def test_form(self) -> None:
        response = self.client.get("/verification/")
        self.assertContains(response, "Code de vérification")
        self.assertContains(response, 'name="code"')

    def test_post_code(self) -> None:
        response = self.client.post(
            "/verification/", {"code": f" {self.parchemin.code_affiche} "}
        )
        self.assertRedirects(response, self.url(self.parchemin))

    def test_get_code(self) -> None:
        response = self.client.get("/verification/", {"code": self.parchemin.code})
        self.assertRedirects(response, self.url(self.parchemin))

    def test_malformed_code(self) -> None:
        response = self.client.post("/verification/", {"code": "ABC-123"})
        self.assertContains(
            response, "Un code de vérification compte 16 lettres et chiffres."
        )

    def test_empty_code(self) -> None:
        response = self.client.post("/verification/", {"code": ""})
        self.assertContains(response, "Saisissez le code imprimé sur le document.")

    def test_unknown_well_formed_code(self) -> None:
        response = self.client.post("/verification/", {"code": "A" * 16}, follow=True)
        self.assertContains(response, "Code inconnu", status_code=404)

    def test_wrong_method(self) -> None:
        self.assertEqual(self.client.delete("/verification/").status_code, 405)


class HashCheckTests(VerificationBase):
    def stored_files(self) -> int:
        return sum(
            1 for p in Path(settings.PRIVATE_STORAGE_ROOT).rglob("*") if p.is_file()
        )

    def test_the_issued_file_matches(self) -> None:
        before = self.stored_files()
        upload = SimpleUploadedFile(
            "parchemin.pdf", file_bytes(self.parchemin), "application/pdf"
        )
        response = self.client.post(self.url(self.parchemin), {"fichier": upload})
        self.assertContains(response, "Ce fichier est exactement le document émis.")
        self.assertIs(response.context["correspond"], True)
        self.assertEqual(self.stored_files(), before)

    def test_a_modified_file_does_not_match(self) -> None:
        content = bytearray(file_bytes(self.parchemin))
        content[-10] ^= 0x01
        upload = SimpleUploadedFile("parchemin.pdf", bytes(content), "application/pdf")
        response = self.client.post(self.url(self.parchemin), {"fichier": upload})
        self.assertContains(
            response,
            "Ce fichier n'est pas le document émis : il a été modifié",
        )
        self.assertIs(response.context["correspond"], False)

    def test_another_issued_file_does_not_match(self) -> None:
        upload = SimpleUploadedFile("a.pdf", file_bytes(self.attestation))
        response = self.client.post(self.url(self.parchemin), {"fichier": upload})
        self.assertIs(response.context["correspond"], False)

    def test_no_file(self) -> None:
        response = self.client.post(self.url(self.parchemin), {})
        self.assertContains(response, "Choisissez le fichier PDF à comparer.")
        self.assertIsNone(response.context["correspond"])


class RateLimitTests(VerificationBase):
    """A sliding window of accepted requests (certif.ratelimit): a refused request
    neither counts nor extends the wait, and ``Retry-After`` is the true wait."""

    def test_429_past_the_limit_per_address(self) -> None:
        for _ in range(RATE_LIMIT):
            self.assertEqual(
                self.client.get("/verification/AAAAAAAAAAAAAAAA/").status_code, 404
            )
        response = self.client.get(self.url(self.parchemin))
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")
        self.assertContains(
            response,
            "Vous avez fait trop de vérifications en peu de temps. Réessayez dans 1 minute.",
            status_code=429,
        )
        self.assertEqual(
            self.client.post("/verification/", {"code": "x"}).status_code, 429
        )
        # Another address is not affected.
        response = self.client.get(self.url(self.parchemin), REMOTE_ADDR="10.0.0.2")
        self.assertEqual(response.status_code, 200)

    def test_the_count_lives_in_the_shared_database_cache(self) -> None:
        with time_machine.travel(1_800_000_000, tick=False):
            for _ in range(3):
                self.client.get("/verification/")
            # What another web process sees: its own cache object on the same table.
            other_process = DatabaseCache("certif_cache", {})
            self.assertEqual(
                other_process.get("verification-rl:127.0.0.1"), [1_800_000_000.0] * 3
            )
            other_process.set(
                "verification-rl:127.0.0.1", [1_800_000_000.0] * RATE_LIMIT
            )
            self.assertEqual(self.client.get("/verification/").status_code, 429)

    def test_refused_requests_do_not_extend_the_wait(self) -> None:
        start = 1_800_000_000
        with time_machine.travel(start, tick=False):
            for _ in range(RATE_LIMIT):
                self.assertEqual(self.client.get("/verification/").status_code, 200)
        # Refused all along the window: the wait only shrinks.
        for elapsed, retry_after in ((1, "59"), (30, "30"), (59.5, "1")):
            with time_machine.travel(start + elapsed, tick=False):
                response = self.client.get("/verification/")
                self.assertEqual(response.status_code, 429)
                self.assertEqual(response["Retry-After"], retry_after)
        # The announced time is true: once it has passed, the page answers.
        with time_machine.travel(start + 60, tick=False):
            self.assertEqual(self.client.get("/verification/").status_code, 200)

    def test_the_window_slides(self) -> None:
        start = 1_800_000_000
        with time_machine.travel(start, tick=False):
            for _ in range(RATE_LIMIT // 2):
                self.client.get("/verification/")
        with time_machine.travel(start + 30, tick=False):
            for _ in range(RATE_LIMIT - RATE_LIMIT // 2):
                self.assertEqual(self.client.get("/verification/").status_code, 200)
            response = self.client.get("/verification/")
            self.assertEqual(response.status_code, 429)
            self.assertEqual(response["Retry-After"], "30")
        # The first half left the window: that many requests pass again, no more.
        with time_machine.travel(start + 61, tick=False):
            statuses = [
                self.client.get("/verification/").status_code
                for _ in range(RATE_LIMIT // 2 + 1)
            ]
        self.assertEqual(statuses, [200] * (RATE_LIMIT // 2) + [429])

    @override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
    def test_a_forged_forwarded_header_is_ignored_without_trusted_proxy(self) -> None:
        for index in range(RATE_LIMIT):
            self.client.get("/verification/", HTTP_X_FORWARDED_FOR=f"1.2.3.{index}")
        blocked = self.client.get("/verification/", HTTP_X_FORWARDED_FOR="5.6.7.8")
        self.assertEqual(blocked.status_code, 429)

    @override_settings(TRUSTED_PROXIES=1)
    def test_behind_one_proxy_only_the_entry_it_appended_counts(self) -> None:
        # The proxy (REMOTE_ADDR) appends the client's address to whatever the
        # client sent: the forged entries on the left change nothing.
        for index in range(RATE_LIMIT):
            self.client.get(
                "/verification/",
                HTTP_X_FORWARDED_FOR=f"9.9.9.{index}, 1.2.3.4",
                REMOTE_ADDR="10.0.0.9",
            )
        blocked = self.client.get(
            "/verification/",
            HTTP_X_FORWARDED_FOR="5.6.7.8, 1.2.3.4",
            REMOTE_ADDR="10.0.0.9",
        )
        self.assertEqual(blocked.status_code, 429)
        other = self.client.get(
            "/verification/", HTTP_X_FORWARDED_FOR="10.0.0.7", REMOTE_ADDR="10.0.0.9"
        )
        self.assertEqual(other.status_code, 200)
