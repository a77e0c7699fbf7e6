from typing import Any

from django.core.management.base import BaseCommand

from evaluations.demo import demo_load


class Command(BaseCommand):
    help = "Charge le référentiel de démonstration et les comptes de démonstration (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        demo_load(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
