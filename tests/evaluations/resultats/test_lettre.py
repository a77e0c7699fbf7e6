"""The result letter: issued at the publication (not before), its text read back
from the PDF, verifiable by its code, marked in specimen mode, frozen."""

import os
import re

from django.core import mail

from evaluations.documents.models import Document
from evaluations.documents.services import document_reissue
from evaluations.documents.snapshots import LettreSnapshot, document_snapshot
from evaluations.documents.tasks import emission_launch
from referentiel.models import Certification
from tests.clock import frozen
from tests.evaluations.factories_documents import make_scenario
from tests.evaluations.resultats.factories import PublicationTestCase, document_text


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@frozen()
class LettreTests(PublicationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        Certification.objects.filter(pk=cls.sc.referentiel.certification_id).update(
            duree_validite_blocs_mois=60
        )

    def test_no_letter_before_the_publication(self) -> None:
        emission_launch(session=self.sc.session, by=self.sc.admin)
        self.assertFalse(Document.objects.filter(nature="lettre").exists())

    def test_letter_of_a_partial_validation(self) -> None:
        self.publish(self.sc.session, by=self.sc.admin)
        lettre = Document.objects.get(inscription=self.sc.partiel, nature="lettre")
        text = squeeze(document_text(lettre))
        if os.environ.get("KEEP_LETTER"):
            with (
                lettre.fichier.open("rb") as source,
                open(os.environ["KEEP_LETTER"], "wb") as target,
            ):
                target.write(source.read())
        for expected in (
            "Institut Exemple de Certification",
            "12 rue des Écoles",
            "SIRET 73282932000074",
            "Hugo LEROY",
            "Lyon, le 18 mars 2026",
            "Objet : résultat de votre candidature à la certification professionnelle",
            f"({self.sc.referentiel.certification.code})",
            "Décision du jury : Validation partielle",
            "Le jury a validé 1 bloc de compétences",
            "Motif : Le critère C2.1.1 n'est pas acquis.",
            "— Validé",
            "— Non validé",
            "non acquise",
            "Un bloc acquis reste valable 60 mois à compter de la décision du jury "
            "qui l'a validé.",
            "Les blocs validés par cette décision le restent jusqu'au 18 mars 2031.",
            "Vous pouvez contester cette décision jusqu'au 18 mai 2026 inclus",
            "(2 mois à compter de la publication des résultats, le 18 mars 2026).",
            "Recours écrit auprès du certificateur",
            "Fait à Lyon, le 18 mars 2026",
            "Directrice générale",
            "Claire Martin",
            f"Code de vérification : {lettre.code_affiche}",
        ):
            self.assertIn(expected, text)
        for marker in ("{%", "%}", "{{", "}}", "{#", "#}"):
            self.assertNotIn(marker, text)
        self.assertNotIn("SPÉCIMEN", text)
        snapshot = document_snapshot(lettre)
        self.assertIsInstance(snapshot, LettreSnapshot)
        self.assertEqual(
            (
                snapshot.date_limite_recours,
                snapshot.delai_recours_mois,
                snapshot.validite_blocs_mois,
            ),
            ("2026-05-18", 2, 60),
        )

    def test_letter_without_a_validity_limit(self) -> None:
        Certification.objects.filter(pk=self.sc.referentiel.certification_id).update(
            duree_validite_blocs_mois=None
        )
        self.publish(self.sc.session, by=self.sc.admin)
        lettre = Document.objects.get(inscription=self.sc.certifie, nature="lettre")
        text = squeeze(document_text(lettre))
        self.assertIn("Les blocs acquis le restent sans limite de durée.", text)
        self.assertIn("Décision du jury : Certifié", text)

    def test_letter_is_verifiable_by_its_code(self) -> None:
        self.publish(self.sc.session, by=self.sc.admin)
        lettre = Document.objects.get(inscription=self.sc.echec, nature="lettre")
        response = self.client.get(f"/verification/{lettre.code}/")
        self.assertContains(response, "Document valide.")
        self.assertContains(
            response, '<dd class="col-sm-8">Lettre de résultat</dd>', html=True
        )
        self.assertContains(response, "Zoé MARTIN")

    def test_specimen_letter_is_marked(self) -> None:
        certificateur = self.sc.referentiel.certification.certificateur
        assert certificateur is not None
        certificateur.specimen = True
        certificateur.save(update_fields=["specimen"])
        self.publish(self.sc.session, by=self.sc.admin)
        lettre = Document.objects.get(inscription=self.sc.echec, nature="lettre")
        self.assertIn(
            "SPÉCIMEN — document de démonstration sans valeur",
            squeeze(document_text(lettre)),
        )

    def test_a_letter_is_not_reissued_by_hand(self) -> None:
        self.publish(self.sc.session, by=self.sc.admin)
        mail.outbox = []
        lettre = Document.objects.get(inscription=self.sc.echec, nature="lettre")
        with self.assertRaisesMessage(
            Exception, "Une lettre de résultat est émise par la publication"
        ):
            document_reissue(document=lettre, by=self.sc.admin, motif="Erreur.")
        self.assertEqual(mail.outbox, [])
