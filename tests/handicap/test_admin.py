"""The admin shows decisions and the access log read-only, never the confidential
content (requests and documents are not registered)."""

from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from handicap.models import (
    AccesConfidentiel,
    Amenagement,
    AvisMotive,
    DemandeAmenagement,
    Dispense,
    PieceJustificative,
)
from tests.handicap.factories import HandicapTestCase, make_decision, make_demande


class AdminTests(HandicapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.admin.is_staff = True
        cls.admin.is_superuser = True
        cls.admin.save()
        cls.demande = make_decision(make_demande(cls.inscription), cls.referent)

    def test_confidential_models_not_registered(self) -> None:
        self.assertFalse(admin.site.is_registered(DemandeAmenagement))
        self.assertFalse(admin.site.is_registered(PieceJustificative))
        for model in (Amenagement, AvisMotive, Dispense, AccesConfidentiel):
            with self.subTest(model=model.__name__):
                self.assertTrue(admin.site.is_registered(model))
                model_admin = admin.site._registry[model]
                request = RequestFactory().get("/")
                self.assertNotIn("besoins", model_admin.get_fields(request))

    def test_pages_read_only(self) -> None:
        self.client.force_login(self.admin)
        amenagement = Amenagement.objects.first()
        assert amenagement is not None
        for name, args in [
            ("admin:handicap_amenagement_changelist", []),
            ("admin:handicap_amenagement_change", [amenagement.pk]),
            ("admin:handicap_amenagement_history", [amenagement.pk]),
            ("admin:handicap_accesconfidentiel_changelist", []),
        ]:
            with self.subTest(name=name):
                response = self.client.get(reverse(name, args=args))
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "Sclérose")
        response = self.client.get(reverse("admin:handicap_amenagement_add"))
        self.assertEqual(response.status_code, 403)
        response = self.client.post(
            reverse("admin:handicap_amenagement_delete", args=[amenagement.pk]),
            {"post": "yes"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Amenagement.objects.filter(pk=amenagement.pk).exists())
