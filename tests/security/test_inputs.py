"""Inputs that gave a 500 (issue 12, item 8), and the maximum length of every
text field.

- A NUL character in any query parameter or form field: PostgreSQL cannot store
  or compare one (« A string literal cannot contain NUL (0x00) characters »).
  ``certif.middleware.RefuseNulMiddleware`` answers a French 400 for every view.
- A CSV cell longer than the csv module's field limit (131,072 characters), and a
  NUL character in a CSV file: refused by the parser with a message, nothing
  imported.
- Every text field of every form has a maximum length (the plain-form grid save,
  which reads the request itself, stored a 4,000,000-character comment)."""

import csv
import importlib
import pkgutil

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from certif.roles import Role
from evaluations.jury.models import MembreJury
from evaluations.notation.models import Evaluation
from evaluations.sessions.csv_import import csv_import, csv_parse
from evaluations.sessions.models import Candidat
from referentiel.models import Critere
from tests.evaluations.sessions.test_csv_import import ZOE, csv_text
from tests.factories import make_referentiel, make_session, make_user
from tests.test_permission_matrix import World

NUL_MESSAGE = (
    "La requête contient un caractère nul (invisible) : retirez-le du texte saisi "
    "et réessayez."
)


class NulInRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World.build()
        cls.session_id = MembreJury.objects.get(user=cls.w.personas["pres"]).session_id

    def test_query_parameter_on_the_jury_session_page(self) -> None:
        self.client.force_login(self.w.personas["pres"])
        response = self.client.get(f"/jury/sessions/{self.session_id}/?q=%00")
        self.assertContains(response, NUL_MESSAGE, status_code=400)
        self.assertEqual(
            self.client.get(f"/jury/sessions/{self.session_id}/?q=Mar").status_code,
            200,
        )

    def test_query_parameter_on_the_conflicts_page(self) -> None:
        self.client.force_login(self.w.personas["jury"])
        response = self.client.get("/jury/conflits/?q=a%00b")
        self.assertContains(response, NUL_MESSAGE, status_code=400)

    def test_query_parameter_name(self) -> None:
        response = self.client.get("/verification/?a%00=1")
        self.assertContains(response, NUL_MESSAGE, status_code=400)

    def test_form_field_of_a_post(self) -> None:
        self.client.force_login(self.w.personas["jury"])
        pk = Critere.objects.get(code="C1.1.1").pk
        response = self.client.post(
            f"/jury/inscriptions/{self.w.personas_inscription}/grille/",
            {f"resultat-{pk}": "acquis", f"commentaire-{pk}": "a\x00b"},
        )
        self.assertContains(response, NUL_MESSAGE, status_code=400)
        self.assertEqual(Evaluation.objects.count(), 0)

    def test_grid_plain_form_refuses_a_huge_comment(self) -> None:
        self.client.force_login(self.w.personas["jury"])
        pk = Critere.objects.get(code="C1.1.1").pk
        response = self.client.post(
            f"/jury/inscriptions/{self.w.personas_inscription}/grille/",
            {f"resultat-{pk}": "acquis", f"commentaire-{pk}": "x" * 2001},
        )
        self.assertContains(
            response,
            "Le commentaire dépasse 2000 caractères : raccourcissez-le.",
            status_code=400,
        )
        self.assertEqual(Evaluation.objects.count(), 0)

    def test_htmx_save_refuses_a_huge_comment(self) -> None:
        self.client.force_login(self.w.personas["jury"])
        pk = Critere.objects.get(code="C1.1.1").pk
        response = self.client.post(
            f"/jury/inscriptions/{self.w.personas_inscription}/grille/criteres/{pk}/",
            {f"resultat-{pk}": "acquis", f"commentaire-{pk}": "x" * 2001},
            HTTP_HX_REQUEST="true",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Evaluation.objects.count(), 0)


class CsvInputTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.session = make_session(make_referentiel())

    def test_a_cell_past_the_csv_field_limit(self) -> None:
        limit = csv.field_size_limit()
        self.assertEqual(limit, 131_072)
        texte = csv_text(ZOE, ZOE.replace("Paris", "P" * (limit + 1)))
        apercu = csv_parse(texte=texte, session=self.session)
        self.assertEqual(
            apercu.erreurs_fichier,
            [
                "Une cellule du fichier dépasse 131072 caractères : ce n'est pas une "
                "liste de candidats."
            ],
        )
        self.assertEqual(apercu.lignes, [])
        self.assertIs(apercu.importable, False)

    def test_a_long_cell_through_the_pages(self) -> None:
        self.client.force_login(self.admin)
        content = csv_text(ZOE.replace("Paris", "P" * 200_000)).encode()
        response = self.client.post(
            reverse("evaluations:session_import", args=[self.session.pk]),
            {"fichier": SimpleUploadedFile("c.csv", content, "text/csv")},
        )
        response = self.client.get(response["Location"])
        self.assertContains(
            response, "Une cellule du fichier dépasse 131072 caractères"
        )

    def test_a_nul_character_in_a_name_imports_nothing(self) -> None:
        texte = csv_text(ZOE.replace("LECLERC", "LEC\x00LERC"))
        apercu = csv_parse(texte=texte, session=self.session)
        self.assertEqual(
            apercu.erreurs_fichier,
            [
                "Le fichier contient un caractère nul : ce n'est pas un fichier CSV "
                "exporté d'un tableur."
            ],
        )
        with self.assertRaises(ValidationError) as raised:
            csv_import(
                session=self.session, texte=texte, seulement_valides=True, by=self.admin
            )
        self.assertEqual(raised.exception.messages, apercu.erreurs_fichier)
        self.assertEqual(Candidat.objects.count(), 0)


PROJECT_PACKAGES = ("certif", "referentiel", "evaluations", "handicap")


def project_forms() -> list[type[forms.BaseForm]]:
    """Every form class defined in the project, its modules all imported."""
    for name in PROJECT_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_PACKAGES:
                found.append(sub)
    return found


class MaxLengthTests(SimpleTestCase):
    def test_every_text_field_of_every_form_has_a_maximum_length(self) -> None:
        found = project_forms()
        self.assertGreater(len(found), 25)
        unbounded = [
            f"{cls.__module__}.{cls.__qualname__}.{name}"
            for cls in found
            for name, field in cls.base_fields.items()
            if isinstance(field, forms.CharField) and field.max_length is None
        ]
        self.assertEqual(unbounded, [])

    def test_the_account_pages_use_the_bounded_forms(self) -> None:
        from django.urls import resolve

        for url, attribute in (
            ("/connexion/", "authentication_form"),
            ("/mot-de-passe/changer/", "form_class"),
            ("/mot-de-passe/nouveau/MQ/set-password/", "form_class"),
        ):
            view = resolve(url).func.view_class  # type: ignore[attr-defined]
            initkwargs = resolve(url).func.view_initkwargs  # type: ignore[attr-defined]
            form = initkwargs.get(attribute, getattr(view, attribute))
            self.assertEqual(form.__module__, "certif.forms", url)
