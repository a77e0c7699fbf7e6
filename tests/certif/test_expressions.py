"""ListSubquery: the values of a subquery's rows read with the outer row, as a
list, on PostgreSQL and SQLite alike; the roles read that way are those
``roles_of`` reads."""

from django.test import TestCase

from certif.models import User
from certif.roles import Role, roles_of, roles_remember, roles_subquery
from tests.factories import make_user


class ListSubqueryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.sans_role = make_user("sans-role@test.localhost")
        cls.president = make_user(
            "president@test.localhost", Role.PRESIDENT, Role.MEMBRE_JURY
        )

    def test_each_row_gets_its_own_values_and_an_empty_list_for_none(self) -> None:
        with self.assertNumQueries(1):
            rows = {
                user.email: sorted(user.noms)
                for user in User.objects.annotate(noms=roles_subquery("pk"))
            }
        self.assertEqual(
            rows,
            {
                "sans-role@test.localhost": [],
                "president@test.localhost": ["membre_jury", "president_jury"],
            },
        )

    def test_roles_remembered_are_those_roles_of_would_read(self) -> None:
        user = User.objects.annotate(noms=roles_subquery("pk")).get(
            pk=self.president.pk
        )
        roles_remember(user, user.noms)
        with self.assertNumQueries(0):
            self.assertEqual(
                roles_of(user), frozenset({"membre_jury", "president_jury"})
            )
        self.assertEqual(
            roles_of(User.objects.get(pk=self.president.pk)), roles_of(user)
        )
