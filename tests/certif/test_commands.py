"""load_demo: the demo data of ``make run``, idempotent."""

from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.test import TestCase

from certif.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from certif.models import User
from certif.roles import Role, roles_of
from referentiel.models import Critere, Referentiel


def all_row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count() for model in apps.get_models()
    }


class LoadDemoTests(TestCase):
    def test_twice_is_idempotent(self) -> None:
        call_command("load_demo", stdout=StringIO())
        counts = all_row_counts()
        out = StringIO()

        call_command("load_demo", stdout=out)

        self.assertEqual(all_row_counts(), counts)
        self.assertIn("Référentiel RNCP00000 v1 (Publié) : inchangé\n", out.getvalue())
        self.assertIn("Compte admin@certif.localhost : inchangé\n", out.getvalue())
        self.assertTrue(out.getvalue().endswith("Données de démonstration prêtes.\n"))

    def test_accounts_and_referentiel(self) -> None:
        call_command("load_demo", stdout=StringIO())
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
