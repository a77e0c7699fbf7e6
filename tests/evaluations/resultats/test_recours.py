"""The appeal deadline: publication date + the delay of the règlement d'examen
in force (two months without one), on the page, the letter and the e-mail; the
page links the règlement."""

from datetime import date

from django.core import mail

from evaluations.documents.models import Document
from evaluations.resultats.selectors import date_limite_recours
from evaluations.sessions.models import Inscription
from referentiel.reglement.services import (
    reglement_brouillon_create,
    reglement_publish,
    reglement_update,
)
from tests.clock import frozen
from tests.evaluations.factories_documents import make_scenario
from tests.evaluations.resultats.factories import PublicationTestCase, document_text


@frozen()
class RecoursTests(PublicationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        cls.certification = cls.sc.referentiel.certification

    def reglement(self, mois: int) -> None:
        brouillon = reglement_brouillon_create(
            certification=self.certification, by=self.sc.admin
        )
        reglement_update(
            reglement=brouillon,
            texte="# Règlement\n\nRecours dans le délai fixé.",
            delai_recours_mois=mois,
            delai_amenagements_jours=30,
            by=self.sc.admin,
        )
        reglement_publish(reglement=brouillon, by=self.sc.admin)

    def inscription(self) -> Inscription:
        return Inscription.objects.select_related(
            "session__publication_resultats", "session__referentiel__certification"
        ).get(pk=self.sc.echec.pk)

    def test_without_reglement_two_months(self) -> None:
        self.publish(self.sc.session, by=self.sc.admin)
        self.assertEqual(date_limite_recours(self.inscription()), date(2026, 5, 18))
        self.client.force_login(self.sc.echec.candidat.user)
        response = self.client.get(f"/resultats/{self.sc.echec.pk}/")
        self.assertNotContains(response, "Lire le règlement d'examen")

    def test_the_reglement_in_force_sets_the_delay(self) -> None:
        self.reglement(3)
        self.publish(self.sc.session, by=self.sc.admin)
        self.assertEqual(date_limite_recours(self.inscription()), date(2026, 6, 18))
        url = f"/referentiel/certifications/{self.certification.pk}/reglement/"
        self.client.force_login(self.sc.echec.candidat.user)
        response = self.client.get(f"/resultats/{self.sc.echec.pk}/")
        self.assertContains(
            response,
            "Vous pouvez contester la décision du jury jusqu'au 18 juin 2026 inclus.",
        )
        self.assertContains(response, "Le délai de recours est de 3 mois")
        self.assertContains(
            response, f'<a href="https://certif.test{url}">Lire le règlement d'
        )
        self.assertEqual(self.client.get(url).status_code, 200)
        lettre = Document.objects.get(inscription=self.sc.echec, nature="lettre")
        text = " ".join(document_text(lettre).split())
        self.assertIn(
            "Vous pouvez contester cette décision jusqu'au 18 juin 2026 inclus (3 mois",
            text,
        )
        self.assertIn(f"Règlement d'examen : https://certif.test{url}", text)
        message = next(m for m in mail.outbox if m.to == ["zoe@test.fr"])
        self.assertIn("jusqu'au 18 juin 2026 inclus", message.body)
