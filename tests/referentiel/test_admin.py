"""Editing in the Django admin: drafts only; published versions read-only."""

from typing import TYPE_CHECKING, Any

from django.contrib.admin.models import LogEntry
from django.test import TestCase
from django.urls import reverse

from certif.roles import Role
from referentiel.models import Bloc, Competence, Critere, Referentiel
from referentiel.services import referentiel_export
from tests.factories import make_referentiel, make_user, small_data

if TYPE_CHECKING:
    # The test client's response (with .context), a name of the stubs only.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def form_data(response: "TestResponse") -> dict[str, Any]:
    """The POST data the admin change page would send back unchanged."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.published = make_referentiel(small_data(criteres=2))
        cls.draft = make_referentiel(small_data() | {"version": "2"}, publish=False)

    def setUp(self) -> None:
        self.client.force_login(self.admin)

    def action(self, name: str, *referentiels: Referentiel) -> "TestResponse":
        return self.client.post(
            reverse("admin:referentiel_referentiel_changelist"),
            {"action": name, "_selected_action": [r.pk for r in referentiels]},
            follow=True,
        )

    def messages(self, response: "TestResponse") -> list[str]:
        return [str(m) for m in response.context["messages"]]

    def change_url(self, obj: Any) -> str:
        meta = obj._meta
        return reverse(
            f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]
        )


class PublishedReadOnlyTests(AdminTestCase):
    def test_change_page_read_only(self) -> None:
        response = self.client.get(self.change_url(self.published))
        self.assertEqual(response.status_code, 200)
        self.assertIs(response.context["has_change_permission"], False)
        self.assertNotContains(response, 'name="_save"')
        self.assertNotContains(response, 'name="blocs-0-code"')
        self.assertContains(response, "B1")

    def test_competence_page_read_only(self) -> None:
        competence = Competence.objects.get(referentiel=self.published)
        response = self.client.get(self.change_url(competence))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="_save"')
        self.assertNotContains(response, 'name="criteres-0-intitule"')

    def test_post_refused(self) -> None:
        competence = Competence.objects.get(referentiel=self.published)
        before = referentiel_export(referentiel=self.published)
        draft_page = self.client.get(
            self.change_url(Competence.objects.get(referentiel=self.draft))
        )
        data = form_data(draft_page)
        data["intitule"] = "Changé"
        for url in (self.change_url(self.published), self.change_url(competence)):
            with self.subTest(url=url):
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 403)
        self.assertEqual(referentiel_export(referentiel=self.published), before)

    def test_no_delete(self) -> None:
        bloc = Bloc.objects.get(referentiel=self.published)
        url = reverse("admin:referentiel_bloc_delete", args=[bloc.pk])
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
        self.assertIs(Bloc.objects.filter(pk=bloc.pk).exists(), True)

    def test_cannot_add_a_bloc_to_a_published_version(self) -> None:
        response = self.client.post(
            reverse("admin:referentiel_bloc_add"),
            {
                "referentiel": self.published.pk,
                "code": "B9",
                "intitule": "Ajout",
                "ordre": 9,
                "activites-TOTAL_FORMS": 0,
                "activites-INITIAL_FORMS": 0,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.errors["referentiel"],
            [
                "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux "
                "disponibles."
            ],
        )
        self.assertIs(Bloc.objects.filter(code="B9").exists(), False)


class DraftEditTests(AdminTestCase):
    def test_add_critere_through_competence_inline(self) -> None:
        competence = Competence.objects.get(referentiel=self.draft)
        url = self.change_url(competence)
        data = form_data(self.client.get(url))
        self.assertEqual(data["criteres-TOTAL_FORMS"], 1)
        data.update(
            {
                "criteres-TOTAL_FORMS": 2,
                "criteres-1-ordre": 1,
                "criteres-1-code": "C1.1.2",
                "criteres-1-intitule": "Un critère ajouté.",
                "criteres-1-competence": competence.pk,
            }
        )

        response = self.client.post(url, data)

        self.assertRedirects(
            response,
            reverse("admin:referentiel_competence_changelist"),
            fetch_redirect_response=False,
        )
        critere = Critere.objects.get(referentiel=self.draft, code="C1.1.2")
        self.assertEqual(critere.referentiel, self.draft)
        self.assertEqual(critere.competence, competence)
        self.assertEqual(
            referentiel_export(referentiel=self.draft)["blocs"][0]["activites"][0][
                "competences"
            ][0]["criteres"],
            [
                {"code": "C1.1.1", "intitule": "Critère 1."},
                {"code": "C1.1.2", "intitule": "Un critère ajouté."},
            ],
        )

    def test_duplicate_code_is_a_form_error(self) -> None:
        competence = Competence.objects.get(referentiel=self.draft)
        url = self.change_url(competence)
        data = form_data(self.client.get(url))
        data.update(
            {
                "criteres-TOTAL_FORMS": 2,
                "criteres-1-ordre": 1,
                "criteres-1-code": "C1.1.1",
                "criteres-1-intitule": "Doublon.",
                "criteres-1-competence": competence.pk,
            }
        )
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        formset = response.context["inline_admin_formsets"][1].formset
        self.assertEqual(
            formset.forms[1].errors["code"],
            ["Le code C1.1.1 est déjà utilisé dans cette version."],
        )
        self.assertEqual(Critere.objects.filter(referentiel=self.draft).count(), 1)

    def test_edit_bloc_of_draft(self) -> None:
        url = self.change_url(self.draft)
        data = form_data(self.client.get(url))
        data["blocs-0-intitule"] = "Bloc renommé"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            Bloc.objects.get(referentiel=self.draft).intitule, "Bloc renommé"
        )
        self.assertEqual(
            Bloc.objects.get(referentiel=self.published).intitule, "Bloc 1"
        )


class ActionTests(AdminTestCase):
    def test_publier(self) -> None:
        response = self.action("publier", self.draft, self.published)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.statut, Referentiel.Statut.PUBLIE)
        # Version 2 published: version 1 is superseded.
        self.published.refresh_from_db()
        self.assertEqual(self.published.statut, Referentiel.Statut.REMPLACE)
        entry = LogEntry.objects.get()
        self.assertEqual(
            (entry.user, entry.object_id, entry.change_message),
            (self.admin, str(self.draft.pk), "Version 2 de RNCP99999 publiée."),
        )
        self.assertEqual(
            sorted(self.messages(response)),
            sorted(
                [
                    "Version 2 de RNCP99999 publiée.",
                    "La version 1 est remplacée : elle ne peut plus être modifiée. "
                    "Créez une nouvelle version brouillon à partir d'elle.",
                ]
            ),
        )

    def test_archiver(self) -> None:
        response = self.action("archiver", self.published, self.draft)
        self.published.refresh_from_db()
        self.draft.refresh_from_db()
        self.assertEqual(self.published.statut, Referentiel.Statut.ARCHIVE)
        self.assertEqual(self.draft.statut, Referentiel.Statut.BROUILLON)
        self.assertEqual(
            sorted(self.messages(response)),
            sorted(
                [
                    "Version 1 de RNCP99999 archivée.",
                    "Seule une version publiée peut être archivée.",
                ]
            ),
        )


class NewDraftActionTests(AdminTestCase):
    def test_copies_into_a_numbered_draft(self) -> None:
        response = self.action("nouveau_brouillon", self.published)
        copy = Referentiel.objects.get(version="3")
        self.assertEqual(copy.statut, Referentiel.Statut.BROUILLON)
        self.assertEqual(copy.source, self.published)
        self.assertEqual(
            referentiel_export(referentiel=copy),
            {**referentiel_export(referentiel=self.published), "version": "3"},
        )
        self.assertEqual(
            self.messages(response),
            ["Version brouillon 3 de RNCP99999 créée à partir de la version 1."],
        )
        entry = LogEntry.objects.get()
        self.assertEqual((entry.object_id, entry.action_flag), (str(copy.pk), 1))


class PagesTests(AdminTestCase):
    def test_changelists_search_and_add_pages(self) -> None:
        for model in (
            "certification",
            "referentiel",
            "bloc",
            "activite",
            "competence",
            "critere",
        ):
            with self.subTest(model=model):
                url = reverse(f"admin:referentiel_{model}_changelist")
                self.assertEqual(self.client.get(url).status_code, 200)
                self.assertEqual(self.client.get(url, {"q": "1"}).status_code, 200)
                add = reverse(f"admin:referentiel_{model}_add")
                self.assertEqual(self.client.get(add).status_code, 200)

    def test_add_critere_choices_are_drafts_only(self) -> None:
        response = self.client.get(reverse("admin:referentiel_critere_add"))
        choices = list(response.context["adminform"].form.fields["competence"].queryset)
        self.assertEqual(
            choices, list(Competence.objects.filter(referentiel=self.draft))
        )

    def test_add_critere_fills_referentiel(self) -> None:
        competence = Competence.objects.get(referentiel=self.draft)
        response = self.client.post(
            reverse("admin:referentiel_critere_add"),
            {
                "competence": competence.pk,
                "code": "C1.1.9",
                "intitule": "Ajout.",
                "ordre": 9,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Critere.objects.get(code="C1.1.9").referentiel, self.draft)
