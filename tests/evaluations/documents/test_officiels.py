"""No official document from a placeholder: issuing is refused with the list of
what is missing (registration, certifier, signatory, bloc codes, a public
SITE_URL); a certifier in specimen mode issues marked specimens."""

from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse

from evaluations.documents.models import Document, EmissionSession
from evaluations.documents.services import inscription_documents_issue
from evaluations.documents.tasks import emission_launch
from referentiel.models import Bloc, Certification
from tests.evaluations.factories_documents import make_scenario
from tests.factories import make_referentiel, small_data


class RefusalTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        cls.certification = Certification.objects.get(code="RNCP99999")
        assert cls.certification.certificateur is not None
        cls.certificateur = cls.certification.certificateur

    def assert_refused(self, message: str) -> None:
        with self.assertRaisesMessage(ValidationError, message):
            emission_launch(session=self.sc.session, by=self.sc.admin)
        self.assertEqual(EmissionSession.objects.count(), 0)
        self.assertEqual(Document.objects.count(), 0)

    def test_placeholder_code_and_missing_signatory_listed(self) -> None:
        Certification.objects.filter(pk=self.certification.pk).update(code="RNCP00000")
        self.certificateur.signataire_nom = ""
        self.certificateur.signature = ""
        self.certificateur.save()
        self.assert_refused(
            "Aucun document officiel ne peut être émis : il manque le code RNCP "
            "(RNCP00000 est provisoire) ; du certificateur : nom du signataire ; "
            "du certificateur : image de la signature."
        )

    def test_no_certifier_and_no_bloc_codes_listed(self) -> None:
        Certification.objects.filter(pk=self.certification.pk).update(
            certificateur=None, nsf=""
        )
        Bloc.objects.filter(code="B2").update(code_rncp="")
        self.assert_refused(
            "Aucun document officiel ne peut être émis : il manque le code NSF ; "
            "le certificateur ; le code RNCP des blocs B2."
        )

    def test_issuing_one_enrolment_is_refused_too(self) -> None:
        Certification.objects.filter(pk=self.certification.pk).update(code="RNCP00000")
        with self.assertRaisesMessage(ValidationError, "RNCP00000 est provisoire"):
            inscription_documents_issue(inscription_id=self.sc.certifie.pk, by=None)
        self.assertEqual(Document.objects.count(), 0)

    @override_settings(SITE_URL="http://certif.example.fr")
    def test_plain_http_site_url_refused(self) -> None:
        self.assert_refused(
            "il manque une adresse publique en https:// pour SITE_URL (actuellement "
            "« http://certif.example.fr »)."
        )

    def test_loopback_site_url_refused(self) -> None:
        for url in (
            "https://127.0.0.1:8000",
            "https://localhost",
            "https://[::1]",
            "https://0.0.0.0",
        ):
            with self.subTest(url=url), override_settings(SITE_URL=url):
                self.assert_refused(f"(actuellement « {url} »)")

    @override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8123")
    def test_development_site_url_accepted_in_debug(self) -> None:
        emission = emission_launch(session=self.sc.session, by=self.sc.admin)
        self.assertEqual(emission.statut, "terminee")

    def test_specimen_certifier_issues_despite_the_placeholder(self) -> None:
        Certification.objects.filter(pk=self.certification.pk).update(code="RNCP00000")
        self.certificateur.specimen = True
        self.certificateur.save()
        emission = emission_launch(session=self.sc.session, by=self.sc.admin)
        self.assertEqual((emission.statut, Document.objects.count()), ("terminee", 8))

    def test_session_page_shows_the_list_and_launch_is_refused(self) -> None:
        Certification.objects.filter(pk=self.certification.pk).update(code="RNCP00000")
        self.client.force_login(self.sc.admin)
        url = reverse("evaluations:emission_session", args=[self.sc.session.pk])
        self.assertContains(
            self.client.get(url),
            "Aucun document officiel ne peut être émis : il manque le code RNCP "
            "(RNCP00000 est provisoire).",
        )
        response = self.client.post(
            reverse("evaluations:emission_launch", args=[self.sc.session.pk]),
            follow=True,
        )
        self.assertContains(response, "RNCP00000 est provisoire")
        self.assertEqual(EmissionSession.objects.count(), 0)


class WithoutCertifierTests(TestCase):
    def test_referentiel_without_certifier_lists_everything(self) -> None:
        referentiel = make_referentiel(small_data(), certificateur=False)
        self.assertEqual(
            referentiel.certification.manquants(),
            [
                "le code NSF",
                "date de la décision d'enregistrement de France compétences",
                "le certificateur",
            ],
        )
