from typing import Any

from django.core.management.base import BaseCommand

from certif.services import roles_setup


class Command(BaseCommand):
    help = (
        "Crée un groupe par rôle et les permissions des administrateurs (idempotent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        groups = roles_setup()
        self.stdout.write(self.style.SUCCESS(f"{len(groups)} rôles prêts."))
