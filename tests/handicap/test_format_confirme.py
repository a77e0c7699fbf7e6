"""A format adaptation is « sur conseil du référent handicap »: the référent
advises it (his decision), an administrator confirms it for the certifier, and
the decision letter says who decided what."""

import io

import pypdf
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluations.sessions.models import Session
from handicap.models import Amenagement
from handicap.selectors import amenagements_for_jury, courrier_snapshot
from handicap.services import (
    AmenagementSaisi,
    demande_decider,
    format_adapte_confirmer,
)
from referentiel.models import Modalite
from tests.factories import make_candidat, make_inscription
from tests.handicap.factories import AVIS, HandicapTestCase, make_demande


def decider_format(test: HandicapTestCase, inscription) -> Amenagement:  # type: ignore[no-untyped-def]
    modalite = Modalite.objects.filter(
        competence__activite__bloc__inscriptions=inscription
    ).earliest("pk")
    demande = demande_decider(
        demande=make_demande(inscription),
        amenagements=[
            AmenagementSaisi(
                type=Amenagement.Type.FORMAT_ADAPTE,
                modalite=modalite,
                precision="Présentation orale remplacée par un écrit",
                description="Le rapport remplace la soutenance orale.",
            )
        ],
        avis=AVIS,
        propositions=[],
        by=test.referent,
    )
    return demande.amenagements.get()


class FormatConfirmeTests(HandicapTestCase):
    def test_advised_then_confirmed_and_the_letter_says_who(self) -> None:
        amenagement = decider_format(self, self.inscription)
        vue = amenagements_for_jury(inscription_id=self.inscription.pk).amenagements[0]
        self.assertEqual(
            vue.confirmation,
            "Conseillé par le référent handicap ; en attente de confirmation par le "
            "certificateur.",
        )
        format_adapte_confirmer(amenagement=amenagement, by=self.admin)
        amenagement.refresh_from_db()
        self.assertEqual(amenagement.confirme_par, self.admin)
        courrier = courrier_snapshot(demande_pk=amenagement.demande_id)
        self.assertTrue(
            courrier.amenagements[0].confirmation.startswith(
                "Conseillé par le référent handicap ; confirmé pour le certificateur "
                f"par {self.admin.get_full_name() or self.admin.email} le "
            )
        )

    def test_refusals(self) -> None:
        amenagement = decider_format(self, self.inscription)
        with self.assertRaises(PermissionDenied):
            format_adapte_confirmer(amenagement=amenagement, by=self.referent)
        format_adapte_confirmer(amenagement=amenagement, by=self.admin)
        with self.assertRaisesMessage(
            ValidationError, "Cette adaptation du format est déjà confirmée."
        ):
            format_adapte_confirmer(amenagement=amenagement, by=self.admin)
        autre = decider_format(self, self.autre_inscription)
        Session.objects.filter(pk=self.session.pk).update(statut="close")
        with self.assertRaisesMessage(
            ValidationError, "La session est délibérée ou close."
        ):
            format_adapte_confirmer(amenagement=autre, by=self.admin)
        autre.refresh_from_db()
        self.assertIsNone(autre.confirme_le)


class FormatConfirmeViewTests(HandicapTestCase):
    def test_list_query_count_and_confirm(self) -> None:
        url = reverse("handicap:formats")
        premier = decider_format(self, self.inscription)
        self.client.force_login(self.admin)
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertEqual(list(response.context["page"].object_list), [premier])
        for i in range(3):
            decider_format(
                self,
                make_inscription(make_candidat(f"f{i}@example.org"), self.session),
            )
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"].object_list), 4)
        response = self.client.post(
            reverse("handicap:format_confirmer", args=[premier.pk])
        )
        self.assertRedirects(response, url, fetch_redirect_response=False)
        premier.refresh_from_db()
        self.assertEqual(premier.confirme_par, self.admin)
        self.assertEqual(len(self.client.get(url).context["page"].object_list), 3)

    def test_roles_and_methods(self) -> None:
        amenagement = decider_format(self, self.inscription)
        confirmer = reverse("handicap:format_confirmer", args=[amenagement.pk])
        self.client.force_login(self.referent)
        self.assertEqual(self.client.get(reverse("handicap:formats")).status_code, 403)
        self.assertEqual(self.client.post(confirmer).status_code, 403)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(confirmer).status_code, 405)
        autre = reverse("handicap:format_confirmer", args=[999999])
        self.assertEqual(self.client.post(autre).status_code, 404)
        amenagement.refresh_from_db()
        self.assertIsNone(amenagement.confirme_le)

    def test_letter_pdf_says_who_decided_what(self) -> None:
        amenagement = decider_format(self, self.inscription)
        format_adapte_confirmer(amenagement=amenagement, by=self.admin)
        self.client.force_login(self.referent)
        response = self.client.get(
            reverse("handicap:courrier_download", args=[amenagement.demande_id])
        )
        content = b"".join(response.streaming_content)
        reader = pypdf.PdfReader(io.BytesIO(content))
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        self.assertIn("Conseillé par le référent handicap ; confirmé pour le", text)
