"""load_demo: the demo data of ``make run``, idempotent."""

from io import StringIO

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import TestCase

from certif.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from certif.models import User
from certif.roles import Role, roles_of
from evaluations.notation.models import Evaluation
from referentiel.models import Critere, Referentiel


def all_row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count() for model in apps.get_models()
    }


class LoadDemoTests(TestCase):
    maxDiff = None

    @classmethod
    def setUpTestData(cls) -> None:
        # Loaded once for the class (about 8 s); each test sees it afresh.
        call_command("load_demo", stdout=StringIO())

    def test_twice_is_idempotent(self) -> None:
        counts = all_row_counts()
        out = StringIO()

        call_command("load_demo", stdout=out)

        self.assertEqual(all_row_counts(), counts)
        self.assertIn("Référentiel RNCP00000 v1 (Publié) : inchangé\n", out.getvalue())
        self.assertIn("Compte admin@certif.localhost : inchangé\n", out.getvalue())
        self.assertTrue(out.getvalue().endswith("Données de démonstration prêtes.\n"))

    def test_divergent_scores_are_the_second_and_third_criteria_of_the_grid(
        self,
    ) -> None:
        """The demo's second evaluator marks « non acquis » the second and third
        criteria in the grid's order. Criteria of different activities share
        an order number, so an order that skipped the activity's left the pick
        to the database, and a second load_demo could move the two marks."""
        marques = Evaluation.objects.filter(
            affectation__membre__user__email="jury2@certif.localhost",
            affectation__inscription__candidat__user__email="candidat3@certif.localhost",
            resultat="non_acquis",
        ).values_list("critere__code", flat=True)

        self.assertEqual(sorted(marques), ["C1.1.2", "C1.1.3"])

    def test_accounts_and_referentiel(self) -> None:
        referentiel = Referentiel.objects.get()
        self.assertEqual(referentiel.statut, Referentiel.Statut.PUBLIE)
        self.assertEqual(Critere.objects.filter(referentiel=referentiel).count(), 71)
        expected = {
            "admin@certif.localhost": {Role.ADMINISTRATEUR},
            "president@certif.localhost": {Role.PRESIDENT, Role.MEMBRE_JURY},
            "jury@certif.localhost": {Role.MEMBRE_JURY},
            "jury2@certif.localhost": {Role.MEMBRE_JURY},
            "candidat@certif.localhost": {Role.CANDIDAT},
            "candidat2@certif.localhost": {Role.CANDIDAT},
            "referent@certif.localhost": {Role.REFERENT_HANDICAP},
        }
        self.assertEqual({a.email: set(a.roles) for a in DEMO_ACCOUNTS}, expected)
        for email, roles in expected.items():
            user = User.objects.get(email=email)
            self.assertEqual(roles_of(user), frozenset(roles))
            self.assertIs(user.check_password(DEMO_PASSWORD), True)
            self.assertIs(user.is_staff, Role.ADMINISTRATEUR in roles)


class SetupRolesTests(TestCase):
    """setup_roles: exactly one group per role, the administrators' permissions,
    and nothing new on a second run."""

    ROLE_GROUPS = [
        "administrateur",
        "candidat",
        "membre_jury",
        "president_jury",
        "referent_handicap",
    ]
    ADMIN_PERMISSIONS = sorted(
        [
            ("referentiel", f"{action}_{model}")
            for model in (
                "activite",
                "bloc",
                "certificateur",
                "certification",
                "competence",
                "critere",
                "modalite",
                "referentiel",
                # The règlement d'examen (its own pages; its history).
                "reglementexamen",
                "historicalreglementexamen",
            )
            for action in ("add", "change", "delete", "view")
        ]
        + [
            (app, f"{action}_{model}")
            for app, model in (
                ("certif", "user"),
                ("auth", "group"),
                # The places of the live épreuves, edited in the admin.
                ("evaluations", "site"),
                ("evaluations", "salle"),
            )
            for action in ("add", "change", "delete", "view")
        ]
        + [("certif", "view_changementrole")]
    )

    def state(self) -> dict[str, list[tuple[str, str]]]:
        return {
            group.name: sorted(
                group.permissions.values_list("content_type__app_label", "codename")
            )
            for group in Group.objects.order_by("name")
        }

    def test_creates_the_role_groups_and_is_idempotent(self) -> None:
        self.assertEqual(Group.objects.count(), 0)
        out = StringIO()
        call_command("setup_roles", stdout=out)
        self.assertEqual(out.getvalue(), "5 rôles prêts.\n")
        expected: dict[str, list[tuple[str, str]]] = {
            name: [] for name in self.ROLE_GROUPS
        }
        expected["administrateur"] = self.ADMIN_PERMISSIONS
        self.assertEqual(self.state(), expected)
        self.assertEqual(sorted(r.value for r in Role), self.ROLE_GROUPS)
        ids = dict(Group.objects.values_list("name", "pk"))

        out = StringIO()
        call_command("setup_roles", stdout=out)

        self.assertEqual(out.getvalue(), "5 rôles prêts.\n")
        self.assertEqual(self.state(), expected)
        self.assertEqual(dict(Group.objects.values_list("name", "pk")), ids)

    def test_restores_a_permission_taken_away(self) -> None:
        call_command("setup_roles", stdout=StringIO())
        admin = Group.objects.get(name="administrateur")
        admin.permissions.remove(admin.permissions.get(codename="view_critere"))
        call_command("setup_roles", stdout=StringIO())
        self.assertEqual(
            sorted(
                admin.permissions.values_list("content_type__app_label", "codename")
            ),
            self.ADMIN_PERMISSIONS,
        )
