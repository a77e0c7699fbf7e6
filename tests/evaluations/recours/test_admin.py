"""The Django admin shows the appeals, their documents and their history, read
only."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.evaluations.recours.factories import (
    RecoursTestCase,
    file_appeal,
    published_scenario,
)


class RecoursAdminTests(RecoursTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = published_scenario()
        cls.recours = file_appeal(cls.sc.echec, pieces=("preuve.pdf",))
        cls.superuser = get_user_model().objects.create_superuser(
            email="root@test.fr", password="x-Très-Long-1234"
        )

    def test_viewable_with_its_history_not_editable(self) -> None:
        self.client.force_login(self.superuser)
        changelist = reverse("admin:evaluations_recours_changelist")
        self.assertContains(self.client.get(changelist), self.recours.reference)
        change = reverse("admin:evaluations_recours_change", args=[self.recours.pk])
        response = self.client.get(change)
        self.assertContains(response, "preuve.pdf")
        self.assertNotContains(response, 'name="_save"')
        history = reverse("admin:evaluations_recours_history", args=[self.recours.pk])
        self.assertEqual(self.client.get(history).status_code, 200)
        add = reverse("admin:evaluations_recours_add")
        self.assertEqual(self.client.get(add).status_code, 403)
