"""The demo accounts of ``make run``: one per role, with a documented password.
Idempotent. The whole demo (référentiel, sessions, jury…) is loaded by
``evaluations.demo``."""

from collections.abc import Callable
from dataclasses import dataclass

from certif.roles import Role
from certif.services import roles_setup, user_ensure

DEMO_PASSWORD = "certif-demo"  # noqa: S105 - documented demo password, demo data only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    roles: tuple[Role, ...]


DEMO_ACCOUNTS = (
    DemoAccount("admin@certif.localhost", "Alice", "Martin", (Role.ADMINISTRATEUR,)),
    DemoAccount(
        "president@certif.localhost",
        "Paul",
        "Durand",
        (Role.PRESIDENT, Role.MEMBRE_JURY),
    ),
    DemoAccount("jury@certif.localhost", "Julie", "Bernard", (Role.MEMBRE_JURY,)),
    DemoAccount("jury2@certif.localhost", "Karim", "Benali", (Role.MEMBRE_JURY,)),
    DemoAccount("candidat@certif.localhost", "Camille", "Petit", (Role.CANDIDAT,)),
    DemoAccount("candidat2@certif.localhost", "Hugo", "Leroy", (Role.CANDIDAT,)),
    DemoAccount(
        "referent@certif.localhost", "Rachid", "Moreau", (Role.REFERENT_HANDICAP,)
    ),
)


def demo_accounts(log: Callable[[str], None]) -> None:
    roles_setup()
    for account in DEMO_ACCOUNTS:
        _, created = user_ensure(
            email=account.email,
            first_name=account.first_name,
            last_name=account.last_name,
            roles=list(account.roles),
            password=DEMO_PASSWORD,
        )
        log(f"Compte {account.email} : {'créé' if created else 'inchangé'}")
