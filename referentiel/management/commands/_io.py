import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except OSError as exc:
        raise CommandError(f"Impossible de lire {path} : {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path} n'est pas un JSON valide (ligne {exc.lineno}, colonne {exc.colno} : {exc.msg})"
        ) from None


class VersionOptionMixin(BaseCommand):
    """Free ``--version`` for the référentiel version (Django uses it to print its
    own version)."""

    def add_base_argument(self, parser: Any, *args: Any, **kwargs: Any) -> None:
        if "--version" in args:
            return
        super().add_base_argument(parser, *args, **kwargs)
