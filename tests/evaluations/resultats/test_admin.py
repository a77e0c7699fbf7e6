"""The Django admin shows the publications of results and their history, read
only."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.evaluations.factories_documents import make_scenario
from tests.evaluations.resultats.factories import PublicationTestCase


class PublicationAdminTests(PublicationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sc = make_scenario()
        cls.superuser = get_user_model().objects.create_superuser(
            email="root@test.fr", password="x-Très-Long-1234"
        )

    def test_viewable_with_its_history_not_editable(self) -> None:
        publication = self.publish(self.sc.session, by=self.sc.admin)
        self.client.force_login(self.superuser)
        changelist = reverse("admin:evaluations_publicationresultats_changelist")
        self.assertContains(self.client.get(changelist), "Publiée")
        change = reverse(
            "admin:evaluations_publicationresultats_change", args=[publication.pk]
        )
        response = self.client.get(change)
        self.assertContains(response, "Session juin")
        self.assertNotContains(response, 'name="_save"')
        history = reverse(
            "admin:evaluations_publicationresultats_history", args=[publication.pk]
        )
        self.assertEqual(self.client.get(history).status_code, 200)
        add = reverse("admin:evaluations_publicationresultats_add")
        self.assertEqual(self.client.get(add).status_code, 403)
