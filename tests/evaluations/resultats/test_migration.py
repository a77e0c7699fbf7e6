"""Migration 0020: sessions whose documents were issued before publications
existed are recorded as published, at their first document, by the platform."""

import importlib

from django.apps import apps
from django.db.models import Min
from django.test import TestCase

from evaluations.documents.models import Document
from evaluations.documents.tasks import emission_launch
from evaluations.resultats.models import PublicationResultats
from tests.evaluations.factories_documents import make_scenario

migration = importlib.import_module(
    "evaluations.migrations.0020_issue17a_publications_anterieures"
)


class PublicationsAnterieuresTests(TestCase):
    def test_issued_sessions_are_recorded_as_published(self) -> None:
        sc = make_scenario()
        emission_launch(session=sc.session, by=sc.admin)
        # Another deliberated session, nothing issued: left alone.
        make_scenario(referentiel=sc.referentiel, prefix="b-")
        migration.record_published(apps, None)
        (publication,) = PublicationResultats.objects.all()
        premier = Document.objects.filter(
            session=sc.session, inscription__isnull=False
        ).aggregate(m=Min("emis_le"))["m"]
        self.assertEqual(
            (
                publication.session_id,
                publication.statut,
                publication.publiee_le,
                publication.programmee_par,
            ),
            (sc.session.pk, "publiee", premier, None),
        )
        migration.forget_published(apps, None)
        self.assertFalse(PublicationResultats.objects.exists())
