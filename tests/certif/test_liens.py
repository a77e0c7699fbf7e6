from django.test import SimpleTestCase
from django.urls import reverse

from certif.liens import url_par_pk


class UrlParPkTests(SimpleTestCase):
    def test_same_as_reverse(self) -> None:
        dossier = url_par_pk("evaluations:dossier")
        report = url_par_pk("evaluations:session_report", 12)
        for pk in (1, 42, 10_000):
            self.assertEqual(dossier(pk), reverse("evaluations:dossier", args=[pk]))
            self.assertEqual(
                report(pk), reverse("evaluations:session_report", args=[12, pk])
            )

    def test_only_integers(self) -> None:
        with self.assertRaises(ValueError):
            url_par_pk("evaluations:dossier")("1/../admin")  # type: ignore[arg-type]
