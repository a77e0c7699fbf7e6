"""CSV import fuzzing (hypothesis): whatever the administrator's spreadsheet holds —
random bytes, any encoding, stray separators, quotes and line breaks in cells, wrong
dates and codes — the upload, the preview and the confirmation never answer 500,
and an import either enrols exactly the lines the preview called valid or writes
nothing."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, event, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from certif.roles import Role
from evaluations.sessions.models import Candidat, ImportCandidats, Inscription
from tests.factories import make_referentiel, make_session, make_user, small_data

COLUMNS = [
    "email",
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "date_naissance",
    "sexe",
    "commune_naissance",
    "code_insee_naissance",
    "pays_naissance",
    "voie_acces",
    "parcours",
    "blocs",
]
CELL = st.one_of(
    st.sampled_from(
        [
            "",
            "a@example.fr",
            "b@example.fr",
            "Dupont",
            "Marie Anne",
            "14/03/1995",
            "1995-03-14",
            "31/02/2000",
            "F",
            "M",
            "X",
            "Paris",
            "75056",
            "2A004",
            "7505",
            "vae",
            "formation_continue",
            "complet",
            "blocs",
            "B1",
            "B9",
        ]
    ),
    st.text(max_size=20),
)
RANDOM_ROW = st.lists(CELL, min_size=len(COLUMNS), max_size=len(COLUMNS))
VALID_ROW = st.builds(
    lambda n, voie: [
        f"c{n}@example.fr",
        f"Nom{'abcdefghijklmnopqrstu'[n]}",
        "",
        "Camille",
        f"{n + 1:02d}/03/1995",
        "F",
        "Paris",
        "75056",
        "",
        voie,
        "complet",
        "",
    ],
    st.integers(min_value=0, max_value=20),
    st.sampled_from(["vae", "formation_continue", "candidat_libre"]),
)
ROW = st.one_of(VALID_ROW, RANDOM_ROW)


VALID_FILE = (
    ";".join(COLUMNS) + "\n"
    "a@example.fr;Dupont;;Marie;14/03/1995;F;Paris;75056;;vae;complet;\n"
    "b@example.fr;Leroy;;Hugo;02/11/1990;M;Ajaccio;2A004;;vae;complet;\n"
).encode()


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.binary(max_size=400))
    separator = draw(st.sampled_from([";", ",", "\t"]))
    header = draw(st.sampled_from([COLUMNS, COLUMNS[::-1], COLUMNS[:5]]))
    rows = draw(st.lists(ROW, max_size=5))
    if draw(st.booleans()):
        header = COLUMNS
    out = io.StringIO()
    out.write(separator.join(header) + "\n")
    for row in rows:
        out.write(separator.join(row[: len(header)]) + "\n")
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class CsvImportFuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.fr", Role.ADMINISTRATEUR)
        cls.session = make_session(make_referentiel(small_data(blocs=2, criteres=1)))
        cls.import_url = reverse("evaluations:session_import", args=[cls.session.pk])

    def confirm_url(self) -> str:
        fichier = ImportCandidats.objects.latest("pk")
        return reverse(
            "evaluations:session_import_confirm", args=[self.session.pk, fichier.pk]
        )

    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(content=csv_files(), only_valid=st.booleans())
    @example(content=VALID_FILE, only_valid=False)
    @example(content=VALID_FILE.replace(b"\n", b"\r"), only_valid=False)
    def test_any_file_previews_and_imports_without_error(
        self, content: bytes, only_valid: bool
    ) -> None:
        self.client.force_login(self.admin)
        upload = SimpleUploadedFile("candidats.csv", content, "text/csv")
        response = self.client.post(self.import_url, {"fichier": upload})
        if response.status_code == 200:  # refused at upload, with the form's message
            event("refused at upload")
            self.assertTrue(response.context["form"].errors)
            self.assertEqual(Inscription.objects.count(), 0)
            return
        self.assertEqual(response.status_code, 302)
        preview = self.client.get(response["Location"])
        self.assertEqual(preview.status_code, 200)
        valid_lines = preview.context["fichier"].valides
        data = {}
        if only_valid:
            data["seulement_valides"] = "on"
        confirm = self.client.post(self.confirm_url(), data)
        self.assertEqual(confirm.status_code, 302)
        self.assertEqual(confirm["Location"], response["Location"])
        imported = Inscription.objects.filter(session=self.session).count()
        event(f"imported {imported}")
        fichier = ImportCandidats.objects.latest("pk")
        if fichier.statut == ImportCandidats.Statut.IMPORTE:
            self.assertEqual(imported, valid_lines)
            self.assertEqual(Candidat.objects.count(), imported)
        else:  # refused: nothing written
            self.assertIn(
                fichier.statut,
                {ImportCandidats.Statut.VERIFIE, ImportCandidats.Statut.ECHOUE},
            )
            self.assertEqual(imported, 0)
            self.assertEqual(Candidat.objects.count(), 0)

    def test_old_mac_line_endings_import(self) -> None:
        """A file with bare \\r line endings (found by the fuzzer: it was a 500,
        csv.Error « new-line character seen in unquoted field »)."""
        self.client.force_login(self.admin)
        upload = SimpleUploadedFile(
            "candidats.csv", VALID_FILE.replace(b"\n", b"\r"), "text/csv"
        )
        response = self.client.post(self.import_url, {"fichier": upload})
        self.assertEqual(response.status_code, 302)
        preview = self.client.get(response["Location"])
        self.assertEqual(preview.context["fichier"].valides, 2)
        self.client.post(self.confirm_url())
        self.assertEqual(ImportCandidats.objects.get().statut, "importe")
        self.assertEqual(
            sorted(
                Inscription.objects.filter(session=self.session).values_list(
                    "candidat__user__email", flat=True
                )
            ),
            ["a@example.fr", "b@example.fr"],
        )
