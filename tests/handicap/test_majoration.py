"""The amount of a « temps majoré » (``Amenagement.majoration_pourcent``): set by
the référent on that type only (1 to 100 %), one third when none is decided;
the sitting's duration follows it; decisions written before the field got their
amount from the precision's « NN % » by a data migration."""

import importlib

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluations.epreuves.selectors import (
    AmenagementsPassage,
    amenagement_libelles,
    amenagements_passage_by_inscription,
    duree_passage,
    majoration_of,
)
from handicap.models import Amenagement, DemandeAmenagement
from handicap.selectors import amenagements_for_jury
from handicap.services import AmenagementSaisi, demande_decider
from referentiel.models import Modalite
from tests.handicap.factories import AVIS, HandicapTestCase, make_demande

migration = importlib.import_module(
    "handicap.migrations.0006_issue16b_majoration_depuis_precision"
)


class MajorationTestCase(HandicapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.demande = make_demande(cls.inscription)

    def decider(self, *amenagements: AmenagementSaisi) -> DemandeAmenagement:
        return demande_decider(
            demande=self.demande,
            amenagements=list(amenagements),
            avis=AVIS,
            propositions=[],
            by=self.referent,
        )

    def temps(
        self, majoration: int | None = None, **kwargs: object
    ) -> AmenagementSaisi:
        values: dict = {
            "type": Amenagement.Type.TEMPS_MAJORE,
            "description": "Temps majoré à chaque épreuve orale.",
            "majoration_pourcent": majoration,
        }
        values.update(kwargs)
        return AmenagementSaisi(**values)


class DureeTests(MajorationTestCase):
    def modalites(self, minutes: int) -> list[Modalite]:
        return [Modalite(duree_minutes=minutes)]

    def test_duration_with_25_50_and_the_default_third(self) -> None:
        cases = [(25, 100), (50, 120), (None, 110), (100, 160), (1, 85)]
        for majoration, attendu in cases:
            with self.subTest(majoration=majoration):
                amenagement = Amenagement(
                    type=Amenagement.Type.TEMPS_MAJORE, majoration_pourcent=majoration
                )
                # 80 minutes, lengthened, rounded up to 5 minutes.
                self.assertEqual(
                    duree_passage(
                        modalites=self.modalites(80),
                        majoration=majoration_of(amenagement),
                    ),
                    attendu,
                )

    def test_decided_amount_reaches_the_sitting(self) -> None:
        self.decider(self.temps(25))
        amenagements = amenagements_passage_by_inscription(
            inscription_ids=[self.inscription.pk]
        )
        self.assertEqual(
            amenagements[self.inscription.pk], AmenagementsPassage(majoration=25.0)
        )
        self.assertEqual(
            amenagement_libelles(amenagements[self.inscription.pk]),
            ["Temps majoré : + 25 %"],
        )

    def test_default_third_on_the_convocation(self) -> None:
        self.decider(self.temps())
        amenagements = amenagements_passage_by_inscription(
            inscription_ids=[self.inscription.pk]
        )
        self.assertEqual(
            amenagement_libelles(amenagements[self.inscription.pk]),
            ["Temps majoré : + 33 %"],
        )


class DecisionTests(MajorationTestCase):
    def test_stored_and_shown_to_the_referent_and_the_jury(self) -> None:
        self.decider(self.temps(50))
        self.assertEqual(
            list(Amenagement.objects.values_list("type", "majoration_pourcent")),
            [("temps_majore", 50)],
        )
        vue = amenagements_for_jury(inscription_id=self.inscription.pk)
        self.assertEqual(
            [(a.type_label, a.majoration) for a in vue],
            [("Temps majoré", "+ 50 % du temps prévu")],
        )

    def test_no_amount_is_a_third(self) -> None:
        self.decider(self.temps())
        vue = amenagements_for_jury(inscription_id=self.inscription.pk)
        self.assertEqual(
            [a.majoration for a in vue], ["+ un tiers du temps prévu (tiers-temps)"]
        )

    def test_refused_on_another_type_or_out_of_bounds(self) -> None:
        cases = [
            (
                self.temps(
                    50, type=Amenagement.Type.ASSISTANCE_TIERS, precision="Lecteur"
                ),
                "Une majoration du temps ne se donne qu'à un aménagement "
                "« Temps majoré ».",
            ),
            (self.temps(0), "La majoration du temps est comprise entre 1 et 100 %."),
            (self.temps(101), "La majoration du temps est comprise entre 1 et 100 %."),
        ]
        for saisi, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesMessage(ValidationError, message):
                    self.decider(saisi)
                self.assertEqual(Amenagement.objects.count(), 0)
                self.demande.refresh_from_db()
                self.assertEqual(self.demande.statut, "deposee")

    def test_database_refuses_an_amount_on_another_type(self) -> None:
        demande = self.decider(self.temps())
        for values in (
            {"type": Amenagement.Type.AUTRE, "majoration_pourcent": 20},
            {"type": Amenagement.Type.TEMPS_MAJORE, "majoration_pourcent": 150},
        ):
            with (
                self.subTest(values=values),
                transaction.atomic(),
                self.assertRaises(IntegrityError),
            ):
                Amenagement.objects.create(demande=demande, description="x", **values)


class DataMigrationTests(MajorationTestCase):
    def test_amount_taken_from_the_precision_of_existing_rows(self) -> None:
        demande = self.decider(self.temps())
        rows = {
            precision: Amenagement.objects.create(
                demande=demande,
                type=Amenagement.Type.TEMPS_MAJORE,
                precision=precision,
                description="Décidé avant le champ.",
            ).pk
            for precision in ("50 %", "tiers-temps et 25% à l'écrit", "200 %", "")
        }
        autre = Amenagement.objects.create(
            demande=demande,
            type=Amenagement.Type.AUTRE,
            precision="10 %",
            description="Pas un temps majoré.",
        )
        migration.majoration_depuis_precision(apps, None)
        self.assertEqual(
            {
                precision: Amenagement.objects.get(pk=pk).majoration_pourcent
                for precision, pk in rows.items()
            },
            {
                "50 %": 50,
                "tiers-temps et 25% à l'écrit": 25,
                "200 %": None,
                "": None,
            },
        )
        autre.refresh_from_db()
        self.assertIsNone(autre.majoration_pourcent)
        # The precision stays as written.
        self.assertEqual(Amenagement.objects.get(pk=rows["50 %"]).precision, "50 %")
