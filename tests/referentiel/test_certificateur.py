"""The certifier and the certification's registration: checked identifiers,
images read by content, what an official document lacks, edited by
administrators in the admin."""

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils.datastructures import MultiValueDict
from PIL import Image

from certif.roles import Role
from referentiel.forms import CertificateurForm
from referentiel.models import (
    Bloc,
    Certificateur,
    Certification,
    luhn_valide,
    validate_siret,
)
from tests.factories import make_user


def png(width: int = 40, height: int = 20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def certificateur(**overrides: object) -> Certificateur:
    values: dict[str, object] = {
        "raison_sociale": "Institut Exemple",
        "siret": "73282932000074",
        "adresse": "1 rue de la Paix\n75002 Paris",
        "ville": "Paris",
        "signataire_nom": "Claire Martin",
        "signataire_qualite": "Directrice générale",
        "signature": SimpleUploadedFile("signature.png", png()),
        "recours": "Recours auprès du président du jury, par écrit, sous deux mois.",
    }
    values.update(overrides)
    return Certificateur(**values)


class SiretTests(TestCase):
    def test_luhn(self) -> None:
        self.assertIs(luhn_valide("732829320"), True)
        self.assertIs(luhn_valide("73282932000074"), True)
        self.assertIs(luhn_valide("73282932000075"), False)

    def test_bad_key_refused_with_message(self) -> None:
        with self.assertRaisesMessage(
            ValidationError,
            "Ce numéro SIREN/SIRET est invalide (clé de contrôle fausse).",
        ):
            validate_siret("73282932000075")

    def test_bad_length_refused(self) -> None:
        for value in ("7328293", "7328 2932 0000 74", "732829320000741"):
            with (
                self.subTest(value=value),
                self.assertRaisesMessage(
                    ValidationError,
                    "Un SIREN compte 9 chiffres et un SIRET 14, sans espace.",
                ),
            ):
                validate_siret(value)

    def test_la_poste_rule(self) -> None:
        validate_siret("35600000049837")  # digits sum to a multiple of 5
        with self.assertRaises(ValidationError):
            validate_siret("35600000049838")


class CertificateurModelTests(TestCase):
    def test_complete_certifier_is_valid_and_lacks_nothing(self) -> None:
        c = certificateur()
        c.full_clean()
        self.assertEqual(c.manquants(), [])

    def test_missing_signatory_listed(self) -> None:
        c = certificateur(signataire_nom="", signature="")
        self.assertEqual(c.manquants(), ["nom du signataire", "image de la signature"])

    def form(self, **files: SimpleUploadedFile) -> CertificateurForm:
        data = {
            "raison_sociale": "Institut",
            "siret": "732829320",
            "adresse": "Paris",
            "ville": "Paris",
            "signataire_nom": "Claire Martin",
            "signataire_qualite": "Directrice",
            "recours": "Sous deux mois.",
            "cdc_nature_deposant": "CERTIFICATEUR",
        }
        return CertificateurForm(
            data=data, files=MultiValueDict({k: [v] for k, v in files.items()})
        )

    def test_image_read_by_content(self) -> None:
        form = self.form(logo=SimpleUploadedFile("logo.png", b"%PDF-1.7 not an image"))
        self.assertIs(form.is_valid(), False)
        self.assertEqual(
            form.errors["logo"],
            [
                "Le contenu de « logo.png » n'est pas un document PNG, JPEG : fichier refusé."
            ],
        )

    def test_image_size_limited(self) -> None:
        form = self.form(signature=SimpleUploadedFile("s.png", png() + b"\0" * 600_000))
        self.assertIs(form.is_valid(), False)
        self.assertEqual(form.errors["signature"], ["L'image dépasse 512\xa0ko."])

    def test_png_accepted(self) -> None:
        form = self.form(signature=SimpleUploadedFile("s.png", png()))
        self.assertEqual(form.errors, {})

    def test_text_fields_bounded(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            certificateur(raison_sociale="x" * 201, recours="y" * 1001).full_clean()
        self.assertEqual(
            sorted(raised.exception.message_dict), ["raison_sociale", "recours"]
        )

    @override_settings(DEBUG=False, CERTIFICATEUR_SPECIMEN_AUTORISE=False)
    def test_specimen_refused_in_production(self) -> None:
        with self.assertRaisesMessage(
            ValidationError, "Le mode spécimen est réservé à la démonstration"
        ):
            certificateur(specimen=True).full_clean()

    @override_settings(DEBUG=False, CERTIFICATEUR_SPECIMEN_AUTORISE=True)
    def test_specimen_allowed_by_explicit_setting(self) -> None:
        certificateur(specimen=True).full_clean()

    @override_settings(DEBUG=True)
    def test_specimen_allowed_in_debug(self) -> None:
        certificateur(specimen=True).full_clean()


class CertificationRegistrationTests(TestCase):
    def test_levels_printed_with_european_equivalent(self) -> None:
        self.assertEqual(
            Certification(niveau=6).niveau_libelle,
            "niveau 6 du cadre national des certifications professionnelles, "
            "équivalent au niveau 6 du cadre européen des certifications",
        )

    def test_placeholder_and_missing_certifier_listed(self) -> None:
        certification = Certification(code="RNCP00000", intitule="X", niveau=2)
        self.assertEqual(
            certification.manquants(),
            [
                "le code RNCP (RNCP00000 est provisoire)",
                "un niveau de 3 à 8",
                "le code NSF",
                "date de la décision d'enregistrement de France compétences",
                "le certificateur",
            ],
        )

    def test_nsf_and_bloc_code_formats(self) -> None:
        certification = Certification(code="RNCP12345", intitule="X", niveau=6)
        certification.nsf = "326n; 312"
        with self.assertRaises(ValidationError) as raised:
            certification.full_clean()
        self.assertEqual(list(raised.exception.message_dict), ["nsf"])
        certification.nsf = "326n, 312p"
        certification.full_clean()
        bloc = Bloc(code="A1", intitule="Bloc", code_rncp="RNCP12345-BC1")
        with self.assertRaises(ValidationError) as raised:
            bloc.full_clean(exclude=["referentiel"])
        self.assertEqual(
            raised.exception.message_dict["code_rncp"],
            ["Le code d'un bloc s'écrit RNCP<numéro>BC<deux chiffres>."],
        )


class CertificateurAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@test.fr", Role.ADMINISTRATEUR)
        cls.membre = make_user("membre@test.fr", Role.MEMBRE_JURY)

    def test_administrator_creates_the_certifier(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            "/admin/referentiel/certificateur/add/",
            {
                "raison_sociale": "Institut Exemple",
                "siret": "73282932000074",
                "adresse": "1 rue de la Paix",
                "ville": "Lyon",
                "signataire_nom": "Claire Martin",
                "signataire_qualite": "Directrice",
                "signature": SimpleUploadedFile("s.png", png(), "image/png"),
                "recours": "Par écrit au certificateur sous deux mois.",
                "cdc_id_client_emetteur": "",
                "cdc_id_client_certificateur": "",
                "cdc_id_contrat": "",
                "cdc_nature_deposant": "CERTIFICATEUR",
            },
        )
        self.assertEqual(response.status_code, 302)
        c = Certificateur.objects.get()
        self.assertEqual((c.ville, c.manquants()), ("Lyon", []))

    def cdc_post(self, **cdc: str) -> Any:
        self.client.force_login(self.admin)
        return self.client.post(
            "/admin/referentiel/certificateur/add/",
            {
                "raison_sociale": "Institut Exemple",
                "siret": "73282932000074",
                "adresse": "1 rue de la Paix",
                "ville": "Lyon",
                "signataire_nom": "Claire Martin",
                "signataire_qualite": "Directrice",
                "recours": "Par écrit au certificateur sous deux mois.",
                "cdc_nature_deposant": "CERTIFICATEUR",
                **cdc,
            },
        )

    def test_cdc_identifiers_entered_in_the_admin(self) -> None:
        response = self.cdc_post(
            cdc_id_client_emetteur="TIERS001",
            cdc_id_client_certificateur="AB12CD34",
            cdc_id_contrat="CONTRAT-2026-07",
            cdc_nature_deposant="TIERS_CONFIANCE",
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            list(
                Certificateur.objects.values_list(
                    "cdc_id_client_emetteur",
                    "cdc_id_client_certificateur",
                    "cdc_id_contrat",
                    "cdc_nature_deposant",
                )
            ),
            [("TIERS001", "AB12CD34", "CONTRAT-2026-07", "TIERS_CONFIANCE")],
        )

    def test_bad_cdc_identifiers_refused_in_french_nothing_stored(self) -> None:
        response = self.cdc_post(
            cdc_id_client_emetteur="1234567",
            cdc_id_client_certificateur="AB 12CD3",
            cdc_id_contrat="C" * 21,
            cdc_nature_deposant="AUTRE",
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.errors
        client = (
            "L'idClient de la Caisse des Dépôts compte exactement 8 caractères "
            "(lettres, chiffres ou signes, sans espace ni accent)."
        )
        self.assertEqual(
            {name: errors[name] for name in sorted(errors)},
            {
                "cdc_id_client_certificateur": [client],
                "cdc_id_client_emetteur": [client],
                "cdc_id_contrat": [
                    "Assurez-vous que cette valeur comporte au plus 20 caractères "
                    "(actuellement 21)."
                ],
                "cdc_nature_deposant": [
                    "Sélectionnez un choix valide. AUTRE n\u2019en fait pas partie."
                ],
            },
        )
        self.assertEqual(Certificateur.objects.count(), 0)

    def test_cdc_contract_with_a_space_refused(self) -> None:
        response = self.cdc_post(cdc_id_contrat="C 1")
        self.assertEqual(
            response.context["adminform"].form.errors["cdc_id_contrat"],
            [
                "L'idContrat de la Caisse des Dépôts compte de 1 à 20 caractères "
                "(lettres, chiffres ou signes, sans espace ni accent)."
            ],
        )
        self.assertEqual(Certificateur.objects.count(), 0)

    def test_bad_siret_shown_nothing_stored(self) -> None:
        self.client.force_login(self.admin)
        response = self.client.post(
            "/admin/referentiel/certificateur/add/",
            {"raison_sociale": "Institut", "siret": "12345678901234", "ville": "Lyon"},
        )
        self.assertContains(
            response, "Ce numéro SIREN/SIRET est invalide (clé de contrôle fausse)."
        )
        self.assertEqual(Certificateur.objects.count(), 0)

    def test_jury_member_cannot_open_admin(self) -> None:
        self.client.force_login(self.membre)
        response = self.client.get("/admin/referentiel/certificateur/")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            response["Location"],
            "/admin/login/?next=/admin/referentiel/certificateur/",
        )


class IdentifiantsMigrationTests(TransactionTestCase):
    """0007 replaces the free « identifiant CDC » by the CDC's identifiers: a value
    with an idClient's form is kept as the certifier's idClient, and goes back on
    the way down."""

    avant = [("referentiel", "0006_issue16_epreuve")]
    apres = [("referentiel", "0007_issue15_identifiants_cdc")]

    def tearDown(self) -> None:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    def test_identifier_carried_over_and_back(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate(self.avant)
        ancien = executor.loader.project_state(self.avant).apps.get_model(
            "referentiel", "Certificateur"
        )
        commun = {"siret": "73282932000074", "adresse": "a", "ville": "Lyon"}
        ancien.objects.create(raison_sociale="A", identifiant_cdc="AB12CD34", **commun)
        ancien.objects.create(
            raison_sociale="B", identifiant_cdc="DEMO-CDC-0001", **commun
        )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(self.apres)
        self.assertEqual(
            list(
                Certificateur.objects.order_by("raison_sociale").values_list(
                    "raison_sociale", "cdc_id_client_certificateur", "cdc_id_contrat"
                )
            ),
            [("A", "AB12CD34", ""), ("B", "", "")],
        )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(self.avant)
        ancien = executor.loader.project_state(self.avant).apps.get_model(
            "referentiel", "Certificateur"
        )
        self.assertEqual(
            list(
                ancien.objects.order_by("raison_sociale").values_list(
                    "raison_sociale", "identifiant_cdc"
                )
            ),
            # A value that could not be an idClient was not kept.
            [("A", "AB12CD34"), ("B", "")],
        )
