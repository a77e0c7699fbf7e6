"""Demo data for ``make run``: the seed référentiel and one account per role.
Idempotent: running it again changes nothing. Each app adds its own step to
``DEMO_STEPS``."""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from certif.roles import Role
from certif.services import roles_setup, user_ensure
from evaluations.demo import demo_documents, demo_jury, demo_sessions
from handicap.demo import demo_handicap
from referentiel.services import referentiel_load

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


def _load_referentiel(log: Callable[[str], None]) -> None:
    path = settings.BASE_DIR / "fixtures" / "referentiel.json"
    with open(path, encoding="utf-8") as handle:
        result = referentiel_load(data=json.load(handle), publish=True)
    state = (
        "créé" if result.created else ("mis à jour" if result.changed else "inchangé")
    )
    log(f"Référentiel {result.referentiel} : {state}")


def _accounts(log: Callable[[str], None]) -> None:
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


DEMO_STEPS: list[Callable[[Callable[[str], None]], None]] = [
    _load_referentiel,
    _accounts,
    demo_sessions,
    demo_jury,
    demo_handicap,
    demo_documents,
]


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> None:
    for step in DEMO_STEPS:
        step(log)
