"""The Django admin shows the sessions area read-only (writes go through the
services)."""

from django.test import TestCase
from django.urls import reverse

from evaluations.models import Candidat, Inscription, Livrable, Session
from tests.evaluations.factories import make_livrable, modalites_of
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
