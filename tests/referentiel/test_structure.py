"""The structure of a référentiel version, read once per process once published:
the cached structure is what a fresh read gives, a draft is read afresh at every
call (an edit is seen at once), and any change to a version empties the cache."""

from django.test import TestCase

from referentiel.models import Critere, Referentiel
from referentiel.structure import (
    StructureVersion,
    _read,
    structure_cache_clear,
    structure_version,
)
from tests.factories import make_referentiel, small_data


def _shape(structure: StructureVersion) -> tuple[object, ...]:
    """What a structure says, as plain values (model instances compare by id)."""
    return (
        [(b.pk, b.code, b.intitule) for b in structure.blocs],
        {
            bloc: [
                (c.pk, c.code, c.intitule, c.modalite.intitule, c.activite.code)
                for c in competences
            ]
            for bloc, competences in structure.competences.items()
        },
        {
            competence: [(c.pk, c.code, c.intitule) for c in criteres]
            for competence, criteres in structure.criteres.items()
        },
    )


class PublishedStructureTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel()  # the seed: 71 criteria

    def setUp(self) -> None:
        structure_cache_clear()

    def test_cached_structure_equals_a_fresh_read(self) -> None:
        with self.assertNumQueries(3):
            cached = structure_version(
                referentiel_id=self.referentiel.pk, statut=self.referentiel.statut
            )
        self.assertEqual(
            _shape(cached), _shape(_read(self.referentiel.pk, publie=True))
        )
        self.assertEqual(
            sum(len(criteres) for criteres in cached.criteres.values()), 71
        )
        self.assertEqual(len(cached.blocs), 5)
        # Read once: the next call is the same object, without a query.
        with self.assertNumQueries(0):
            again = structure_version(
                referentiel_id=self.referentiel.pk, statut=self.referentiel.statut
            )
        self.assertIs(again, cached)

    def test_a_change_to_a_version_empties_the_cache(self) -> None:
        first = structure_version(
            referentiel_id=self.referentiel.pk, statut=self.referentiel.statut
        )
        first.fragments["x"] = "fragment"
        Referentiel.objects.get(pk=self.referentiel.pk).save()
        second = structure_version(
            referentiel_id=self.referentiel.pk, statut=self.referentiel.statut
        )
        self.assertIsNot(second, first)
        self.assertEqual(second.fragments, {})


class DraftStructureTests(TestCase):
    def test_a_draft_is_read_afresh_and_its_edit_seen_at_once(self) -> None:
        draft = make_referentiel(small_data(criteres=2), publish=False)
        self.assertEqual(draft.statut, Referentiel.Statut.BROUILLON)
        before = structure_version(referentiel_id=draft.pk, statut=draft.statut)
        critere = Critere.objects.get(referentiel=draft, code="C1.1.1")
        critere_2_intitule = Critere.objects.get(
            referentiel=draft, code="C1.1.2"
        ).intitule
        # An update that sends no signal: only a fresh read can see it.
        Critere.objects.filter(pk=critere.pk).update(intitule="Nouvel intitulé")
        with self.assertNumQueries(3):
            after = structure_version(referentiel_id=draft.pk, statut=draft.statut)
        self.assertIsNot(after, before)
        (competence,) = [c for cs in after.competences.values() for c in cs]
        self.assertEqual(
            [c.intitule for c in after.criteres[competence.pk]],
            ["Nouvel intitulé", critere_2_intitule],
        )
