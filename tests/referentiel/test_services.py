"""Import, export, load and the life cycle of a référentiel version."""

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.test import TestCase

from referentiel.models import (
    Activite,
    Bloc,
    Certification,
    Competence,
    Critere,
    Modalite,
    Referentiel,
)
from referentiel.schema import ReferentielFormatError
from referentiel.services import (
    ReferentielVerrouilleError,
    referentiel_archive,
    referentiel_check_modifiable,
    referentiel_export,
    referentiel_import,
    referentiel_load,
    referentiel_new_draft,
    referentiel_publish,
)
from tests.factories import make_referentiel, seed_data, small_data

MODELS = (Certification, Referentiel, Bloc, Activite, Competence, Modalite, Critere)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def deep_doc() -> dict[str, Any]:
    """Three blocs; the second competency of the first activity of the third bloc
    has no ``criteres``."""
    data = small_data(blocs=3, criteres=2)
    activite = data["blocs"][2]["activites"][0]
    second = copy.deepcopy(activite["competences"][0])
    second["code"] = "C3.2"
    del second["criteres"]
    activite["competences"].append(second)
    return data


class RoundTripTests(TestCase):
    def test_export_import_export_into_empty_database(self) -> None:
        exported = referentiel_export(referentiel=make_referentiel())
        Referentiel.objects.all().delete()
        Certification.objects.all().delete()
        self.assertEqual(row_counts()["Critere"], 0)

        again = referentiel_export(referentiel=referentiel_import(data=exported))

        self.assertEqual(again, exported)
        self.assertEqual(exported, seed_data())

    def test_second_import_under_another_label(self) -> None:
        first = make_referentiel()
        exported = referentiel_export(referentiel=first)

        second = referentiel_import(data=exported, version="2")

        self.assertEqual(second.statut, Referentiel.Statut.BROUILLON)
        self.assertEqual(second.certification_id, first.certification_id)
        again = referentiel_export(referentiel=second)
        self.assertEqual(again["version"], "2")
        self.assertEqual({**again, "version": exported["version"]}, exported)
        self.assertEqual(Critere.objects.filter(referentiel=second).count(), 71)

    def test_unknown_keys_are_ignored(self) -> None:
        data = small_data()
        data["commentaire"] = "ignoré"
        data["blocs"][0]["activites"][0]["competences"][0]["criteres"][0]["x"] = 1
        referentiel = referentiel_import(data=data)
        self.assertEqual(referentiel_export(referentiel=referentiel), small_data())


class MalformedImportTests(TestCase):
    def assert_refused(self, data: Any, errors: list[str]) -> None:
        before = row_counts()
        with self.assertRaises(ReferentielFormatError) as caught:
            referentiel_import(data=data)
        self.assertEqual(caught.exception.errors, errors)
        self.assertEqual(str(caught.exception), "\n".join(errors))
        self.assertEqual(row_counts(), before)

    def test_not_an_object(self) -> None:
        self.assert_refused(["blocs"], ["(document) : un objet JSON est attendu"])

    def test_missing_certification(self) -> None:
        data = small_data()
        del data["certification"]
        self.assert_refused(data, ["certification : champ manquant"])

    def test_niveau_out_of_range(self) -> None:
        data = small_data()
        data["certification"]["niveau"] = 9
        self.assert_refused(
            data, ["certification.niveau : un entier de 1 à 8 est attendu"]
        )

    def test_niveau_as_string(self) -> None:
        data = small_data()
        data["certification"]["niveau"] = "6"
        self.assert_refused(
            data, ["certification.niveau : un entier de 1 à 8 est attendu"]
        )

    def test_bad_rncp_code(self) -> None:
        data = small_data()
        data["certification"]["code"] = "12345"
        self.assert_refused(
            data,
            ["certification.code : Le code RNCP s'écrit RNCP suivi de chiffres."],
        )

    def test_missing_criteres_deep_in_the_tree(self) -> None:
        self.assert_refused(
            deep_doc(),
            ["blocs[2].activites[0].competences[1].criteres : champ manquant"],
        )

    def test_wrong_modalite_type(self) -> None:
        data = small_data()
        data["blocs"][0]["activites"][0]["competences"][0]["modalite"]["type"] = "oral"
        self.assert_refused(
            data,
            [
                "blocs[0].activites[0].competences[0].modalite.type : 'oral' n'est "
                "pas l'un de cas_pratique, mise_en_situation, projet_professionnel"
            ],
        )

    def test_duplicate_codes(self) -> None:
        data = small_data(blocs=2, criteres=2)
        data["blocs"][1]["code"] = "B1"
        criteres = data["blocs"][1]["activites"][0]["competences"][0]["criteres"]
        criteres[1]["code"] = "C2.1.1"
        self.assert_refused(
            data,
            [
                "blocs[1].code : le code 'B1' est déjà utilisé par blocs[0]",
                "blocs[1].activites[0].competences[0].criteres[1].code : le code "
                "'C2.1.1' est déjà utilisé par "
                "blocs[1].activites[0].competences[0].criteres[0]",
            ],
        )

    def test_empty_list(self) -> None:
        data = small_data()
        data["blocs"][0]["activites"] = []
        self.assert_refused(
            data, ["blocs[0].activites : la liste ne doit pas être vide"]
        )

    def test_every_problem_listed_at_once(self) -> None:
        data = small_data(blocs=2)
        data["version"] = 2
        data["blocs"][0]["intitule"] = "  "
        data["blocs"][1]["activites"][0]["competences"][0]["modalite"] = "cas"
        data["blocs"][1]["activites"][0]["competences"][0]["criteres"][0] = "x"
        self.assert_refused(
            data,
            [
                "version : une chaîne de caractères est attendue",
                "blocs[0].intitule : ne doit pas être vide",
                "blocs[1].activites[0].competences[0].modalite : un objet est attendu",
                "blocs[1].activites[0].competences[0].criteres[0] : un objet est attendu",
            ],
        )

    def test_too_long_code(self) -> None:
        data = small_data()
        data["blocs"][0]["code"] = "B" * 21
        self.assert_refused(data, ["blocs[0].code : 20 caractères au plus (21 reçus)"])

    def test_duplicate_version_label_refused(self) -> None:
        make_referentiel(small_data())
        before = row_counts()
        with self.assertRaisesMessage(
            ValidationError,
            "La version 1 de RNCP99999 existe déjà ; choisissez un autre numéro de "
            "version.",
        ):
            referentiel_import(data=small_data(blocs=2))
        self.assertEqual(row_counts(), before)


class ImmutabilityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.referentiel = make_referentiel(small_data(blocs=2, criteres=2))

    def test_check_modifiable(self) -> None:
        with self.assertRaisesMessage(
            ReferentielVerrouilleError,
            "La version 1 est publiée : elle ne peut plus être modifiée. Créez une "
            "nouvelle version brouillon à partir d'elle.",
        ):
            referentiel_check_modifiable(self.referentiel)
        archived = referentiel_archive(referentiel=self.referentiel)
        with self.assertRaisesMessage(
            ReferentielVerrouilleError, "La version 1 est archivée : elle"
        ):
            referentiel_check_modifiable(archived)
        draft = make_referentiel(small_data() | {"version": "2"}, publish=False)
        referentiel_check_modifiable(draft)  # does not raise

    def test_load_changed_document_on_published_version(self) -> None:
        data = small_data(blocs=2, criteres=2)
        data["blocs"][0]["activites"][0]["competences"][0]["criteres"][0][
            "intitule"
        ] = "Autre texte."
        before = referentiel_export(referentiel=self.referentiel)
        counts = row_counts()
        with self.assertRaises(ReferentielVerrouilleError):
            referentiel_load(data=data)
        self.assertEqual(referentiel_export(referentiel=self.referentiel), before)
        self.assertEqual(row_counts(), counts)

    def test_identical_reload_is_a_no_op(self) -> None:
        counts = row_counts()
        ids = list(Critere.objects.order_by("pk").values_list("pk", flat=True))
        result = referentiel_load(data=small_data(blocs=2, criteres=2), publish=True)
        self.assertEqual(result.referentiel, self.referentiel)
        self.assertIs(result.created, False)
        self.assertIs(result.changed, False)
        self.assertEqual(row_counts(), counts)
        self.assertEqual(
            list(Critere.objects.order_by("pk").values_list("pk", flat=True)), ids
        )

    def test_reload_keeps_certification_set_in_the_admin(self) -> None:
        Certification.objects.filter(pk=self.referentiel.certification_id).update(
            intitule="Titre officiel", niveau=6
        )
        result = referentiel_load(data=small_data(blocs=2, criteres=2))
        self.assertIs(result.changed, False)
        certification = Certification.objects.get(pk=self.referentiel.certification_id)
        self.assertEqual(
            (certification.intitule, certification.niveau), ("Titre officiel", 6)
        )

    def test_load_updates_a_draft(self) -> None:
        draft = make_referentiel(small_data() | {"version": "2"}, publish=False)
        data = small_data(criteres=3) | {"version": "2"}
        result = referentiel_load(data=data)
        self.assertEqual(result.referentiel, draft)
        self.assertIs(result.created, False)
        self.assertIs(result.changed, True)
        self.assertEqual(referentiel_export(referentiel=draft), data)

    def test_load_creates_then_publishes(self) -> None:
        result = referentiel_load(data=seed_data(), publish=True)
        self.assertIs(result.created, True)
        self.assertIs(result.changed, True)
        self.assertEqual(result.referentiel.statut, Referentiel.Statut.PUBLIE)
        self.assertEqual(
            referentiel_export(referentiel=result.referentiel), seed_data()
        )

    def test_new_draft_copies_everything(self) -> None:
        draft = referentiel_new_draft(referentiel=self.referentiel, version="2")
        self.assertEqual(draft.statut, Referentiel.Statut.BROUILLON)
        self.assertEqual(draft.source, self.referentiel)
        self.assertIs(draft.est_modifiable, True)
        self.assertEqual(
            referentiel_export(referentiel=draft),
            {**referentiel_export(referentiel=self.referentiel), "version": "2"},
        )
        self.assertEqual(Critere.objects.filter(referentiel=draft).count(), 4)
        self.assertEqual(
            Critere.objects.filter(referentiel=self.referentiel).count(), 4
        )

    def test_new_draft_with_taken_label(self) -> None:
        with self.assertRaisesMessage(ValidationError, "La version 1 de RNCP99999"):
            referentiel_new_draft(referentiel=self.referentiel, version="1")
        self.assertEqual(Referentiel.objects.count(), 1)

    def test_publish_twice_refused(self) -> None:
        with self.assertRaises(ReferentielVerrouilleError):
            referentiel_publish(referentiel=self.referentiel)
        self.referentiel.refresh_from_db()
        self.assertEqual(self.referentiel.statut, Referentiel.Statut.PUBLIE)

    def test_publish_sets_date(self) -> None:
        draft = make_referentiel(small_data() | {"version": "2"}, publish=False)
        self.assertIsNone(draft.publie_le)
        published = referentiel_publish(referentiel=draft)
        self.assertEqual(published.statut, Referentiel.Statut.PUBLIE)
        self.assertIsNotNone(published.publie_le)

    def test_archive_only_from_published(self) -> None:
        draft = make_referentiel(small_data() | {"version": "2"}, publish=False)
        with self.assertRaisesMessage(
            ValidationError, "Seule une version publiée peut être archivée."
        ):
            referentiel_archive(referentiel=draft)
        draft.refresh_from_db()
        self.assertEqual(draft.statut, Referentiel.Statut.BROUILLON)
        archived = referentiel_archive(referentiel=self.referentiel)
        self.assertEqual(archived.statut, Referentiel.Statut.ARCHIVE)
        with self.assertRaisesMessage(
            ValidationError, "Seule une version publiée peut être archivée."
        ):
            referentiel_archive(referentiel=archived)
