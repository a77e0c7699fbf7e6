"""Done when: for the demo (which includes a holder born abroad), the command
``declaration_cdc --output`` and the administrator's page both produce a file
that lxml validates against the shipped XSD, with the expected values for each
holder, checked element by element."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase
from lxml import etree

from certif.models import User
from evaluations.declarations.documents import NS, SCHEMA_PATH, XSI
from evaluations.declarations.models import DeclarationCDC, LotCDC
from evaluations.sessions.models import Inscription
from tests.clock import frozen

NIL = "xsi:nil"


def leaves(element: etree._Element, prefix: str = "") -> dict[str, str]:
    """Every leaf of ``element`` as path → text (or ``xsi:nil``)."""
    found: dict[str, str] = {}
    for child in element:
        name = etree.QName(child).localname
        path = f"{prefix}{name}"
        if len(child):
            found.update(leaves(child, f"{path}/"))
        elif child.get(f"{{{XSI}}}nil") == "true":
            found[path] = NIL
        else:
            found[path] = child.text or ""
    return found


def validate(content: bytes) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    document = etree.fromstring(content)
    schema.assertValid(document)
    return document


@frozen()
class DemoDeclarationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_demo", stdout=StringIO())
        cls.admin = User.objects.get(email="admin@certif.localhost")
        cls.camille = Inscription.objects.get(
            candidat__user__email="candidat@certif.localhost",
            session__nom="Session d'automne 2026",
        )
        cls.nadia = Inscription.objects.get(
            candidat__user__email="nadia.kaddour@certif.localhost"
        )

    def setUp(self) -> None:
        cache.clear()

    def expected(self) -> dict[str, dict[str, str]]:
        commun = {
            "obtentionCertification": "PAR_ADMISSION",
            "donneeCertifiee": "true",
            "dateDebutExamen": "2025-11-18",
            "dateFinExamen": "2026-03-11",
            "dateDebutValidite": "2026-03-11",
            "dateFinValidite": NIL,
            "presenceNiveauLangueEuro": "false",
            "presenceNiveauNumeriqueEuro": "false",
            "scoring": NIL,
            "mentionValidee": NIL,
        }
        titulaire = "identificationTitulaire/titulaire/"
        return {
            f"RNCP00000-{self.camille.pk}": {
                "idTechnique": f"RNCP00000-{self.camille.pk}",
                **commun,
                "modalitesInscription/modaliteAcces": (
                    "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION"
                ),
                f"{titulaire}nomNaissance": "PETIT",
                f"{titulaire}nomUsage": NIL,
                f"{titulaire}prenom1": "Camille",
                f"{titulaire}prenom2": "Louise",
                f"{titulaire}anneeNaissance": "1996",
                f"{titulaire}moisNaissance": "4",
                f"{titulaire}jourNaissance": "12",
                f"{titulaire}sexe": "F",
                f"{titulaire}codeCommuneNaissance/codeInseeNaissance/codeInsee": "44109",
                f"{titulaire}libelleCommuneNaissance": "Nantes",
            },
            f"RNCP00000-{self.nadia.pk}": {
                "idTechnique": f"RNCP00000-{self.nadia.pk}",
                **commun,
                "modalitesInscription/modaliteAcces": "VAE",
                f"{titulaire}nomNaissance": "KADDOUR",
                f"{titulaire}nomUsage": "MARCHAND",
                f"{titulaire}prenom1": "Nadia",
                f"{titulaire}prenom2": "Salma",
                f"{titulaire}prenom3": "Inès",
                f"{titulaire}anneeNaissance": "1990",
                f"{titulaire}moisNaissance": "3",
                f"{titulaire}jourNaissance": "14",
                f"{titulaire}sexe": "F",
                f"{titulaire}codeCommuneNaissance/codeInseeNaissance/codeInsee": "99351",
                f"{titulaire}libelleCommuneNaissance": "Tunis",
                f"{titulaire}codePaysNaissance": "351",
                f"{titulaire}libellePaysNaissance": "Tunisie",
            },
        }

    def check_file(self, content: bytes, lot: LotCDC) -> None:
        root = validate(content)
        self.assertEqual(root.tag, f"{{{NS}}}flux")
        entete = leaves(root)
        passages = root.findall(f".//{{{NS}}}passageCertification")
        self.assertEqual(
            {k: v for k, v in entete.items() if "passageCertification" not in k},
            {
                "idFlux": lot.id_flux,
                "horodatage": "2026-03-18T10:30:00+01:00",
                # The demo certifier's identifiers (its record, load_demo).
                "emetteur/idClient": "DEMO0001",
                "emetteur/certificateurs/certificateur/idClient": "DEMO0002",
                "emetteur/certificateurs/certificateur/idContrat": "DEMO-CONTRAT",
                "emetteur/certificateurs/certificateur/certifications/certification/type": "RNCP",
                "emetteur/certificateurs/certificateur/certifications/certification/code": "RNCP00000",
                "emetteur/certificateurs/certificateur/certifications/certification/natureDeposant": "CERTIFICATEUR",
            },
        )
        self.assertEqual(
            {leaves(p)["idTechnique"]: leaves(p) for p in passages}, self.expected()
        )

    def test_command_writes_the_file(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            output = Path(tmp) / "cdc.xml"
            out = StringIO()
            call_command("declaration_cdc", "--output", str(output), stdout=out)
            content = output.read_bytes()
        # The newest batch: last year's holders were declared by the demo.
        lot = LotCDC.objects.latest("pk")
        self.check_file(content, lot)
        self.assertEqual(
            out.getvalue().strip(),
            f"Lot n° {lot.pk} : 2 titulaires, 0 écarté — {output} "
            f"(SHA-256 {lot.sha256}), valide contre le schéma de la CDC",
        )
        self.assertEqual(
            sorted(
                DeclarationCDC.objects.filter(lot=lot).values_list(
                    "inscription_id", "statut"
                )
            ),
            sorted([(self.camille.pk, "inclus"), (self.nadia.pk, "inclus")]),
        )

    def test_page_builds_and_offers_the_same_file(self) -> None:
        self.client.force_login(self.admin)
        page = self.client.get("/declarations/")
        self.assertContains(page, "Nadia KADDOUR")
        self.assertContains(
            page, "Les attestations de blocs de compétences ne sont pas déclarées ici"
        )
        certification = self.camille.session.referentiel.certification
        response = self.client.post(
            "/declarations/lots/nouveau/",
            {"certification": certification.pk, "mode": "exclure"},
        )
        # The newest batch: last year's holders were declared by the demo.
        lot = LotCDC.objects.latest("pk")
        self.assertRedirects(response, f"/declarations/lots/{lot.pk}/")
        self.assertEqual((lot.statut, lot.total, lot.faits), ("construit", 2, 2))
        page = self.client.get(f"/declarations/lots/{lot.pk}/")
        self.assertContains(page, lot.sha256)
        self.assertContains(
            page,
            "Spécimen : le certificateur est en mode démonstration, ce fichier ne "
            "doit jamais être déposé sur le portail de la Caisse des Dépôts.",
        )
        response = self.client.get(f"/declarations/lots/{lot.pk}/fichier.xml")
        self.assertEqual(response["Content-Type"], "application/xml")
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="declaration-cdc-lot-{lot.pk}.xml"',
        )
        content = b"".join(response.streaming_content)
        self.check_file(content, lot)
