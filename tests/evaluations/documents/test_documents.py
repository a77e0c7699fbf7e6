"""Issued documents: each PDF parsed back, snapshots frozen, versions and
revocation."""

import hashlib
import io

import pypdf
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone

from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document
from evaluations.documents.qr import qr_matrix
from evaluations.documents.services import document_revoke, verification_url
from evaluations.documents.snapshots import (
    DistinctionSnapshot,
    document_snapshot,
    inscription_snapshots,
    snapshot_from_json,
    snapshot_to_json,
)
from evaluations.documents.tasks import emission_launch
from handicap.models import AvisMotive
from tests.clock import frozen
from tests.evaluations.factories_documents import (
    Scenario,
    make_scenario,
)
from tests.factories import make_candidat, make_inscription
from tests.scan import scanned_urls


def issue(scenario: Scenario) -> None:
    emission_launch(session=scenario.session, by=scenario.admin)


def pdf_text(document: Document) -> str:
    with document.fichier.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def file_bytes(document: Document) -> bytes:
    with document.fichier.open("rb") as handle:
        return handle.read()


def current(inscription_id: int | None, nature: str, session_id: int = 0) -> Document:
    queryset = Document.objects.filter(nature=nature, statut="valide")
    if inscription_id is None:
        return queryset.get(session_id=session_id)
    return queryset.get(inscription_id=inscription_id)


@frozen()
class IssuedDocumentsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        issue(cls.sc)

    def test_documents_issued_per_decision(self) -> None:
        rows = sorted(
            (nom or "", nature, version, statut)
            for nom, nature, version, statut in Document.objects.values_list(
                "inscription__candidat__nom_naissance", "nature", "version", "statut"
            )
        )
        self.assertEqual(
            rows,
            [
                ("", "pv", 1, "valide"),
                ("DUPONT", "parchemin", 1, "valide"),
                ("DUPONT", "releve", 1, "valide"),
                ("LEROY", "attestation", 1, "valide"),
                ("LEROY", "releve", 1, "valide"),
                ("MARTIN", "releve", 1, "valide"),
                ("PETIT", "parchemin", 1, "valide"),
                ("PETIT", "releve", 1, "valide"),
            ],
        )
        self.assertEqual(Document.objects.get(nature="pv").session, self.sc.session)

    def test_stored_hash_is_the_file_hash(self) -> None:
        for document in Document.objects.all():
            self.assertEqual(
                hashlib.sha256(file_bytes(document)).hexdigest(), document.sha256
            )
            self.assertEqual(len(document.code), 16)
            self.assertTrue(file_bytes(document).startswith(b"%PDF-"))

    def test_codes_are_unique_base32(self) -> None:
        codes = list(Document.objects.values_list("code", flat=True))
        self.assertEqual(len(set(codes)), 8)
        for code in codes:
            self.assertEqual(set(code) - set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), set())

    def test_parchemin(self) -> None:
        document = current(self.sc.certifie.pk, "parchemin")
        text = pdf_text(document)
        for expected in (
            "Institut Exemple de Certification\n12 rue des Écoles\n69002 Lyon\n"
            "SIRET 73282932000074\nCertificat\n"
            "Institut Exemple de Certification, certificateur, atteste que\n"
            "Marie DUPONT\nnée le 14 mars 1995 à Paris (75)\n"
            "a obtenu la certification professionnelle\nPetite certification\n",
            "enregistrée au répertoire national des certifications professionnelles "
            "(RNCP) sous le numéro\nRNCP99999 par décision de France compétences du "
            "28 mars 2024\n",
            "niveau 5 du cadre national des certifications professionnelles, "
            "équivalent au niveau 5 du cadre\neuropéen des certifications\n"
            "Code NSF : 326n\npar décision du jury du 18 mars 2026 (session "
            "« Session juin »).",
            "Blocs de compétences validés\nRNCP99999BC01 — Bloc 1\n"
            "RNCP99999BC02 — Bloc 2\n",
            "Fait à Lyon, le 18 mars 2026\nDirectrice générale\nClaire Martin\n",
            f"Code de vérification :\n{document.code_affiche}",
            f"{settings.SITE_URL}/verification/{document.code}/",
        ):
            self.assertIn(expected, text)

    def test_awards_are_one_page_with_the_signature_image(self) -> None:
        for inscription, nature in (
            (self.sc.certifie, "parchemin"),
            (self.sc.partiel, "attestation"),
        ):
            with self.subTest(nature=nature):
                reader = pypdf.PdfReader(
                    io.BytesIO(file_bytes(current(inscription.pk, nature)))
                )
                self.assertEqual(len(reader.pages), 1)
                # The QR code (one greyscale pixel per module, quiet zone of 4)
                # and the signature (the test certifier has no logo).
                # (in either order: the signature is in a kept zone, certif.pdf)
                qr, signature = sorted(
                    reader.pages[0].images,
                    key=lambda image: getattr(image.image, "mode", "") != "L",
                )
                url = verification_url(current(inscription.pk, nature).code)
                side = len(qr_matrix(url)) + 8
                assert qr.image is not None and signature.image is not None
                self.assertEqual((qr.image.mode, qr.image.size), ("L", (side, side)))
                self.assertEqual(signature.image.mode, "RGB")

    def test_parchemin_lists_a_bloc_capitalised_earlier(self) -> None:
        text = pdf_text(current(self.sc.capitalise.pk, "parchemin"))
        self.assertIn("Léa PETIT", text)
        self.assertIn(
            "RNCP99999BC01 — Bloc 1 — acquis le 30 juin 2025 (session « Session "
            "2025 »)\nRNCP99999BC02 — Bloc 2\n",
            text,
        )

    def test_attestation(self) -> None:
        document = current(self.sc.partiel.pk, "attestation")
        text = pdf_text(document)
        self.assertIn("Attestation de blocs de", text)
        self.assertIn("Hugo LEROY", text)
        for expected in (
            "Institut Exemple de Certification, certificateur, atteste que\n"
            "Hugo LEROY\nnée le 14 mars 1995 à Paris (75)\n"
            "a validé les blocs de compétences suivants de la certification "
            "professionnelle\nPetite certification\n",
            "RNCP99999 par décision de France compétences du 28 mars 2024\n",
            "équivalent au niveau 5 du cadre\neuropéen des certifications\n"
            "Code NSF : 326n\n",
            "RNCP99999BC01 — Bloc 1 — validé le 18 mars 2026 (session « Session "
            "juin »)\n",
            "La présente attestation certifie la\nvalidation de ces seuls blocs de "
            "compétences ; elle ne vaut pas obtention de la certification,\n",
            "Fait à Lyon, le 18 mars 2026\nDirectrice générale\nClaire Martin\n",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("Bloc 2", text)
        self.assertIn(f"Code de vérification :\n{document.code_affiche}", text)
        self.assertIn(f"{settings.SITE_URL}/verification/{document.code}/", text)
        snapshot = document_snapshot(document)
        self.assertEqual([b.code for b in snapshot.blocs], ["B1"])

    def test_releve_with_exemption(self) -> None:
        document = current(self.sc.certifie.pk, "releve")
        text = pdf_text(document)
        for expected in (
            "Relevé individuel de résultats",
            "Institut Exemple de Certification\n12 rue des Écoles",
            "Candidat : Marie DUPONT, née le 14 mars 1995 à Paris (75)",
            "Décision du jury : Certifié — le",
            "Motif : Conforme aux résultats consolidés.",
            "Critères dispensés : C2.1.2",
            "RNCP99999BC01 (B1) Bloc 1 — Validé",
            "C1.1.1 — Acquis — Critère 1.",
            "C2.1.2 — Dispensé — Critère 2.",
            "Voie de recours : Recours écrit auprès du certificateur (12 rue des "
            "Écoles, 69002 Lyon) dans les deux mois suivant la notification\nde la "
            "décision.\nFait à Lyon, le 18 mars 2026\nDirectrice générale\n"
            "Claire Martin\n",
            f"référence {document.code_affiche}",
        ):
            self.assertIn(expected, text)

    def test_releve_of_partial_validation(self) -> None:
        text = pdf_text(current(self.sc.partiel.pk, "releve"))
        for expected in (
            "Candidat : Hugo LEROY",
            "Décision du jury : Validation partielle",
            "Motif : Le critère C2.1.1 n'est pas acquis.",
            "RNCP99999BC01 (B1) Bloc 1 — Validé",
            "RNCP99999BC02 (B2) Bloc 2 — Non validé",
            "C2.1 Compétence 2 — non acquise",
            "C2.1.1 — Non acquis — Critère 1.",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("Dispensé", text)

    def test_releve_of_capitalisation(self) -> None:
        text = pdf_text(current(self.sc.capitalise.pk, "releve"))
        self.assertIn("Parcours : Blocs de compétences (capitalisation)", text)
        self.assertIn(
            "RNCP99999BC01 (B1) Bloc 1 — Acquis lors de la session « Session 2025 »",
            text,
        )
        self.assertIn("RNCP99999BC02 (B2) Bloc 2 — Validé", text)
        self.assertNotIn("C1.1.1", text)

    def test_failed_candidate_gets_only_a_releve(self) -> None:
        self.assertEqual(
            list(
                Document.objects.filter(inscription=self.sc.echec).values_list(
                    "nature", flat=True
                )
            ),
            ["releve"],
        )
        self.assertIn(
            "Décision du jury : Non validé",
            pdf_text(current(self.sc.echec.pk, "releve")),
        )

    def test_pv(self) -> None:
        document = current(None, "pv", self.sc.session.pk)
        text = pdf_text(document)
        for expected in (
            "Procès-verbal de délibération du jury",
            "Session : Session juin",
            "Institut Exemple de Certification\n12 rue des Écoles",
            "Séance du jury : 18 mars 2026, Salle du conseil, Lyon\n",
            "Résultats : 4 candidats : 2 certifiés, 1 validation partielle, 1 non validé",
            "Paul Durand Président — Professionnel\ndu secteur\nPrésent",
            "Karim Benali Membre Absent",
            "Julie Bernard Membre Présent",
            "Julie Bernard Hugo LEROY Employeur",
            "Marie DUPONT Certifié\n18/03/2026\nConforme aux résultats consolidés. "
            "B1, B2 C2.1.2",
            "Hugo LEROY Validation partielle\n18/03/2026\nLe critère C2.1.1 n'est "
            "pas acquis. B1 —",
            "Zoé MARTIN Non validé\n18/03/2026\nAucun bloc validé. — —",
            "Léa PETIT Certifié\n18/03/2026\nConforme aux résultats consolidés. B2 —",
            "1 dispense de critère accordée au total",
            "Signatures des membres présents\nFait à Lyon, le 18 mars 2026.",
            f"référence {document.code_affiche}",
        ):
            self.assertIn(expected, text)
        # Only the signature blocks of the members present.
        signatures = text.split("Signatures", 1)[1]
        self.assertIn("Paul Durand", signatures)
        self.assertIn("Julie Bernard", signatures)
        self.assertNotIn("Karim Benali", signatures)

    def test_pv_prints_each_exemption_with_both_conditions(self) -> None:
        text = " ".join(pdf_text(current(None, "pv", self.sc.session.pk)).split())
        regles = text.split("Dispenses de critères décidées par le jury", 1)[1]
        regles = regles.split("Signatures", 1)[0]
        avis = AvisMotive.objects.get(demande__inscription=self.sc.certifie)
        for expected in (
            "Marie DUPONT C2.1.2 Critère 2.",
            f"Avis motivé n° {avis.pk} du {timezone.localdate():%d/%m/%Y}",
            "Condition 1 affirmée sur l'ensemble des dispenses : C2.1.2.",
            "Condition 2 affirmée.",
            "Raisonnement : Le critère porte sur un geste que le handicap empêche.",
            "Julie Bernard, Paul Durand",
        ):
            self.assertIn(expected, regles)

    def test_pv_has_no_personal_data_beyond_names(self) -> None:
        text = pdf_text(current(None, "pv", self.sc.session.pk))
        self.assertNotIn("1995", text)
        self.assertNotIn("@test.fr", text)


class SnapshotTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()

    def test_json_round_trip(self) -> None:
        snapshot = inscription_snapshots(inscription_id=self.sc.capitalise.pk).parchemin
        assert snapshot is not None
        data = snapshot_to_json(snapshot)
        self.assertEqual(snapshot_from_json(DistinctionSnapshot, data), snapshot)
        self.assertEqual(data["blocs"][0]["acquis_le"], "2025-06-30")

    def test_unlocked_deliberation_is_refused(self) -> None:
        Deliberation.objects.filter(inscription=self.sc.echec).update(verrouillee=False)
        with self.assertRaisesMessage(
            Exception, "La délibération n'est pas verrouillée."
        ):
            inscription_snapshots(inscription_id=self.sc.echec.pk)

    def test_no_deliberation_is_refused(self) -> None:
        inscription = make_inscription(
            make_candidat("nouveau@test.fr"), self.sc.session
        )
        with self.assertRaisesMessage(
            Exception, "Aucune délibération pour ce candidat."
        ):
            inscription_snapshots(inscription_id=inscription.pk)


class ImmutabilityAndVersionsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        issue(cls.sc)

    def setUp(self) -> None:
        cache.clear()

    def test_qr_code_scans_to_a_page_saying_valid(self) -> None:
        for inscription, nature in [
            (self.sc.certifie, "parchemin"),
            (self.sc.partiel, "attestation"),
        ]:
            with self.subTest(nature=nature):
                document = current(inscription.pk, nature)
                url = f"{settings.SITE_URL}/verification/{document.code}/"
                self.assertEqual(scanned_urls(file_bytes(document)), [url])
                response = self.client.get(url.removeprefix(settings.SITE_URL))
                self.assertContains(response, "Document valide.")
                self.assertContains(response, inscription.candidat.nom_complet)

    def test_rename_keeps_issued_pdf_and_verification_page(self) -> None:
        parchemin = current(self.sc.certifie.pk, "parchemin")
        before = file_bytes(parchemin)
        candidat = self.sc.certifie.candidat
        candidat.nom_naissance = "DURAND"
        candidat.save()

        parchemin.refresh_from_db()
        self.assertEqual(file_bytes(parchemin), before)
        self.assertIn("Marie DUPONT", pdf_text(parchemin))
        self.assertEqual(parchemin.snapshot["titulaire"]["nom_naissance"], "DUPONT")
        response = self.client.get(f"/verification/{parchemin.code}/")
        self.assertContains(response, "Marie DUPONT")
        self.assertNotContains(response, "DURAND")

    def test_reissue_after_rename_makes_v2_and_revokes_v1(self) -> None:
        v1 = current(self.sc.certifie.pk, "parchemin")
        candidat = self.sc.certifie.candidat
        candidat.nom_naissance = "DURAND"
        candidat.save()
        issue(self.sc)

        v1.refresh_from_db()
        v2 = current(self.sc.certifie.pk, "parchemin")
        self.assertEqual((v2.version, v2.remplace_id), (2, v1.pk))
        self.assertEqual(v1.statut, "revoque")
        self.assertEqual(v1.motif_revocation, "Remplacé par la version 2.")
        self.assertIsNotNone(v1.revoque_le)
        self.assertNotEqual(v2.code, v1.code)
        self.assertIn("Marie DURAND", pdf_text(v2))
        # The relevé and the PV name the candidate too: new versions; the others
        # are unchanged.
        self.assertEqual(current(self.sc.certifie.pk, "releve").version, 2)
        self.assertEqual(current(None, "pv", self.sc.session.pk).version, 2)
        self.assertEqual(Document.objects.count(), 8 + 3)
        self.assertEqual(current(self.sc.partiel.pk, "attestation").version, 1)
        # The verification page of v1 says it was replaced.
        response = self.client.get(f"/verification/{v1.code}/")
        self.assertContains(response, "Document révoqué.")
        self.assertContains(response, "Remplacé par la version 2.")

    def test_decision_no_longer_supporting_an_award_revokes_it(self) -> None:
        deliberation = Deliberation.objects.get(inscription=self.sc.partiel)
        deliberation.decision = Deliberation.Decision.NON_VALIDE
        deliberation.save()
        deliberation.blocs_valides.clear()
        issue(self.sc)

        attestation = Document.objects.get(
            inscription=self.sc.partiel, nature="attestation"
        )
        self.assertEqual(attestation.statut, "revoque")
        self.assertEqual(
            attestation.motif_revocation,
            "La décision du jury ne justifie plus ce document.",
        )
        self.assertEqual(current(self.sc.partiel.pk, "releve").version, 2)
        self.assertIsNone(attestation.revoque_par)

        # The decision is corrected back: the attestation is issued again.
        deliberation.decision = Deliberation.Decision.VALIDATION_PARTIELLE
        deliberation.save()
        deliberation.blocs_valides.set(self.sc.referentiel.blocs.filter(code="B1"))
        issue(self.sc)
        again = current(self.sc.partiel.pk, "attestation")
        self.assertEqual((again.version, again.remplace_id), (2, attestation.pk))
        self.assertEqual(current(self.sc.partiel.pk, "releve").version, 3)


class RevokeServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        issue(cls.sc)

    def test_revoke_records_who_when_why(self) -> None:
        document = current(self.sc.certifie.pk, "parchemin")
        document_revoke(document=document, by=self.sc.admin, motif="  Fraude avérée.  ")
        document.refresh_from_db()
        self.assertEqual(
            (document.statut, document.motif_revocation, document.revoque_par),
            ("revoque", "Fraude avérée.", self.sc.admin),
        )
        self.assertIsNotNone(document.revoque_le)

    def test_reason_is_required(self) -> None:
        document = current(self.sc.certifie.pk, "parchemin")
        with self.assertRaisesMessage(
            ValidationError, "Indiquez le motif de la révocation."
        ):
            document_revoke(document=document, by=self.sc.admin, motif="   ")
        document.refresh_from_db()
        self.assertEqual(document.statut, "valide")

    def test_already_revoked(self) -> None:
        document = current(self.sc.certifie.pk, "parchemin")
        document_revoke(document=document, by=self.sc.admin, motif="Erreur.")
        with self.assertRaisesMessage(ValidationError, "Ce document est déjà révoqué."):
            document_revoke(document=document, by=self.sc.admin, motif="Encore.")

    def test_manual_revocation_is_not_undone_by_a_rerun(self) -> None:
        document = current(self.sc.certifie.pk, "parchemin")
        document_revoke(document=document, by=self.sc.admin, motif="Fraude avérée.")
        issue(self.sc)
        self.assertEqual(
            list(
                Document.objects.filter(
                    inscription=self.sc.certifie, nature="parchemin"
                ).values_list("version", "statut")
            ),
            [(1, "revoque")],
        )
