"""Roles that open health data, separation of duties and the role-change log
(issue 12, item 4), through /admin/ and through the services and the relation
itself (group side, bulk set and clear)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse

from certif.models import ChangementRole, User
from certif.roles import Role
from certif.services import roles_setup, user_ensure
from tests.factories import make_user

REFUS_SUPERUTILISATEUR = (
    "Seul un superutilisateur peut donner le rôle « Référent handicap », qui ouvre "
    "des données de santé."
)
REFUS_SOI_MEME = (
    "Personne ne se donne à soi-même le rôle « Référent handicap » : un autre "
    "superutilisateur doit le faire."
)
REFUS_CUMUL = (
    "Un même compte ne peut pas être à la fois administrateur et référent handicap "
    "(réglage ROLES_CUMUL_ADMIN_REFERENT)."
)


def log() -> list[tuple[str, str, str, str]]:
    return list(
        ChangementRole.objects.order_by("pk").values_list(
            "par_email", "utilisateur_email", "role", "action"
        )
    )


class AdminRolesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.groups = roles_setup()
        cls.admin = make_user("admin@example.fr", Role.ADMINISTRATEUR)
        cls.admin.is_staff = True
        cls.admin.save()
        cls.root = User.objects.create_superuser("root@example.fr", "x")
        cls.root2 = User.objects.create_superuser("root2@example.fr", "x")
        cls.marie = make_user("marie@example.fr", Role.MEMBRE_JURY)
        ChangementRole.objects.all().delete()

    def post(self, by: User, user: User, *roles: Role, **extra: str):  # type: ignore[no-untyped-def]
        self.client.force_login(by)
        data = {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_active": "on",
            "groups": [self.groups[role].pk for role in roles],
            "date_joined_0": "18/03/2026",
            "date_joined_1": "10:30:00",
            "last_login_0": "",
            "last_login_1": "",
            **extra,
        }
        if user.is_staff:
            data["is_staff"] = "on"
        return self.client.post(
            reverse("admin:certif_user_change", args=[user.pk]), data
        )

    def roles(self, user: User) -> set[str]:
        return set(user.groups.values_list("name", flat=True))

    def test_an_administrator_cannot_give_themselves_the_health_role(self) -> None:
        response = self.post(
            self.admin, self.admin, Role.ADMINISTRATEUR, Role.REFERENT_HANDICAP
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.errors["groups"],
            [REFUS_SUPERUTILISATEUR, REFUS_CUMUL],
        )
        self.assertEqual(self.roles(self.admin), {"administrateur"})
        self.assertEqual(log(), [])

    def test_an_administrator_cannot_give_it_to_anyone(self) -> None:
        response = self.post(self.admin, self.marie, Role.REFERENT_HANDICAP)
        self.assertEqual(
            response.context["adminform"].form.errors["groups"],
            [REFUS_SUPERUTILISATEUR],
        )
        self.assertEqual(self.roles(self.marie), {"membre_jury"})

    def test_an_administrator_cannot_make_themselves_superuser(self) -> None:
        response = self.post(
            self.admin, self.admin, Role.ADMINISTRATEUR, is_superuser="on"
        )
        self.assertRedirects(
            response,
            reverse("admin:certif_user_changelist"),
            fetch_redirect_response=False,
        )
        self.admin.refresh_from_db()
        self.assertIs(self.admin.is_superuser, False)
        self.assertEqual(log(), [])

    def test_a_superuser_cannot_give_it_to_themselves(self) -> None:
        response = self.post(self.root, self.root, Role.REFERENT_HANDICAP)
        self.assertEqual(
            response.context["adminform"].form.errors["groups"], [REFUS_SOI_MEME]
        )
        self.assertEqual(self.roles(self.root), set())

    def test_a_superuser_gives_it_to_another_and_it_is_logged(self) -> None:
        response = self.post(self.root, self.marie, Role.REFERENT_HANDICAP)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.roles(self.marie), {"referent_handicap"})
        self.assertEqual(
            log(),
            [
                ("root@example.fr", "marie@example.fr", "membre_jury", "retrait"),
                ("root@example.fr", "marie@example.fr", "referent_handicap", "ajout"),
            ],
        )
        entry = ChangementRole.objects.order_by("pk").last()
        assert entry is not None
        self.assertEqual((entry.par, entry.utilisateur), (self.root, self.marie))

    def test_administrateur_and_referent_on_one_account_refused(self) -> None:
        response = self.post(
            self.root2, self.admin, Role.ADMINISTRATEUR, Role.REFERENT_HANDICAP
        )
        self.assertEqual(
            response.context["adminform"].form.errors["groups"], [REFUS_CUMUL]
        )
        self.assertEqual(self.roles(self.admin), {"administrateur"})

    @override_settings(ROLES_CUMUL_ADMIN_REFERENT=True)
    def test_unless_the_setting_allows_it(self) -> None:
        response = self.post(
            self.root2, self.admin, Role.ADMINISTRATEUR, Role.REFERENT_HANDICAP
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            self.roles(self.admin), {"administrateur", "referent_handicap"}
        )

    def test_superuser_status_changes_are_logged(self) -> None:
        response = self.post(self.root, self.marie, Role.MEMBRE_JURY, is_superuser="on")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            log(),
            [("root@example.fr", "marie@example.fr", "superutilisateur", "ajout")],
        )

    def test_the_log_is_read_only_in_the_admin(self) -> None:
        self.post(self.root, self.marie, Role.REFERENT_HANDICAP)
        entry = ChangementRole.objects.first()
        assert entry is not None
        self.client.force_login(self.admin)
        response = self.client.get(reverse("admin:certif_changementrole_changelist"))
        self.assertContains(response, "marie@example.fr")
        self.assertEqual(
            self.client.get(reverse("admin:certif_changementrole_add")).status_code,
            403,
        )
        response = self.client.post(
            reverse("admin:certif_changementrole_delete", args=[entry.pk]),
            {"post": "yes"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(ChangementRole.objects.filter(pk=entry.pk).count(), 1)


class MembershipPathsTests(TestCase):
    """Every other path: the services, the group side, bulk set and clear."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.groups = roles_setup()
        cls.admin = make_user("admin@example.fr", Role.ADMINISTRATEUR)
        cls.a = make_user("a@example.fr")
        cls.b = make_user("b@example.fr")
        ChangementRole.objects.all().delete()

    def test_the_service_refuses_both_roles(self) -> None:
        with self.assertRaisesMessage(ValidationError, REFUS_CUMUL):
            user_ensure(
                email="c@example.fr",
                first_name="C",
                last_name="C",
                roles=[Role.ADMINISTRATEUR, Role.REFERENT_HANDICAP],
            )
        self.assertEqual(User.objects.filter(email="c@example.fr").count(), 0)

    def test_the_relation_refuses_both_roles(self) -> None:
        with (
            self.assertRaisesMessage(ValidationError, REFUS_CUMUL),
            transaction.atomic(),
        ):
            self.admin.groups.add(self.groups[Role.REFERENT_HANDICAP])
        with (
            self.assertRaisesMessage(ValidationError, REFUS_CUMUL),
            transaction.atomic(),
        ):
            self.groups[Role.REFERENT_HANDICAP].user_set.add(self.a, self.admin)
        self.assertEqual(set(self.groups[Role.REFERENT_HANDICAP].user_set.all()), set())
        self.assertEqual(log(), [])

    def test_group_side_bulk_add_set_and_clear_are_logged(self) -> None:
        jury = self.groups[Role.MEMBRE_JURY]
        jury.user_set.add(self.a, self.b)
        self.b.groups.set([self.groups[Role.CANDIDAT]])
        jury.user_set.clear()
        self.assertEqual(
            sorted(log()[:2]),
            [
                ("", "a@example.fr", "membre_jury", "ajout"),
                ("", "b@example.fr", "membre_jury", "ajout"),
            ],
        )
        self.assertEqual(
            log()[2:],
            [
                ("", "b@example.fr", "membre_jury", "retrait"),
                ("", "b@example.fr", "candidat", "ajout"),
                ("", "a@example.fr", "membre_jury", "retrait"),
            ],
        )
        self.assertEqual(set(jury.user_set.all()), set())
