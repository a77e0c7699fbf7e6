"""The Django admin shows the sessions area read-only (writes go through the
services)."""

from django.test import TestCase
from django.urls import reverse

from evaluations.documents.models import Document, EmissionSession
from evaluations.documents.tasks import emission_launch
from evaluations.livrables.models import Livrable
from evaluations.sessions.models import Candidat, Inscription, Session
from tests.evaluations.factories import make_livrable, modalites_of
from tests.evaluations.factories_documents import make_scenario
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
)


class ReadOnlyAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        from certif.models import User

        cls.superuser = User.objects.create_superuser(
            "root@example.org", "mot-de-passe-root"
        )
        cls.session = make_session(make_referentiel())
        cls.inscription = make_inscription(make_candidat("c@example.org"), cls.session)

    def setUp(self) -> None:
        self.client.force_login(self.superuser)

    def test_lists_and_details_are_viewable_not_editable(self) -> None:
        livrable = make_livrable(self.inscription, modalites_of(self.inscription)[0])
        objects = {
            Session: self.session,
            Candidat: self.inscription.candidat,
            Inscription: self.inscription,
            Livrable: livrable,
        }
        for model, obj in objects.items():
            name = model._meta.model_name
            with self.subTest(model=name):
                changelist = reverse(f"admin:evaluations_{name}_changelist")
                self.assertEqual(self.client.get(changelist).status_code, 200)
                change = reverse(f"admin:evaluations_{name}_change", args=[obj.pk])
                response = self.client.get(change)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, 'name="_save"')
                if model is not Livrable:
                    history = reverse(
                        f"admin:evaluations_{name}_history", args=[obj.pk]
                    )
                    self.assertEqual(self.client.get(history).status_code, 200)
                add = reverse(f"admin:evaluations_{name}_add")
                self.assertEqual(self.client.get(add).status_code, 403)
                delete = reverse(f"admin:evaluations_{name}_delete", args=[obj.pk])
                self.assertEqual(
                    self.client.post(delete, {"post": "yes"}).status_code, 403
                )
                self.assertEqual(model.objects.filter(pk=obj.pk).count(), 1)


class DocumentsAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        from certif.models import User

        cls.superuser = User.objects.create_superuser(
            "root@example.org", "mot-de-passe-root"
        )
        cls.sc = make_scenario()
        cls.emission = emission_launch(session=cls.sc.session, by=cls.sc.admin)

    def test_documents_and_emissions_are_viewable_not_editable(self) -> None:
        self.client.force_login(self.superuser)
        parchemin = Document.objects.get(
            inscription=self.sc.certifie, nature=Document.Nature.PARCHEMIN
        )
        for obj, shown in [
            (parchemin, parchemin.code),
            (EmissionSession.objects.get(pk=self.emission.pk), "Terminée"),
        ]:
            name = obj._meta.model_name
            with self.subTest(model=name):
                changelist = reverse(f"admin:evaluations_{name}_changelist")
                self.assertContains(self.client.get(changelist), shown)
                change = reverse(f"admin:evaluations_{name}_change", args=[obj.pk])
                response = self.client.get(change)
                self.assertContains(response, shown)
                self.assertNotContains(response, 'name="_save"')
                self.assertNotContains(response, ".pdf</a>")
                self.assertNotContains(response, ".zip</a>")
                add = reverse(f"admin:evaluations_{name}_add")
                self.assertEqual(self.client.get(add).status_code, 403)
                delete = reverse(f"admin:evaluations_{name}_delete", args=[obj.pk])
                self.assertEqual(
                    self.client.post(delete, {"post": "yes"}).status_code, 403
                )
                self.assertEqual(type(obj).objects.filter(pk=obj.pk).count(), 1)
