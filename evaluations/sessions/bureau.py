"""The panels that higher areas add to the session desk (the publication of the
results…). This area knows none of them: each registers its provider when the
app loads (``evaluations/home.py``), as the home page's actions do with
``certif.navigation``. A provider returns None when it has nothing to show."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from certif.models import User
from evaluations.sessions.models import Session


@dataclass(frozen=True)
class Panneau:
    """A section of the desk: its template and the context it reads (as ``p``)."""

    gabarit: str
    contexte: dict[str, Any] = field(default_factory=dict)


PanneauProvider = Callable[..., Panneau | None]

_panneaux: list[tuple[int, PanneauProvider]] = []


def register_panneau(*, position: int, provider: PanneauProvider) -> None:
    """Add a desk panel: ``provider(session=…, user=…)``. Idempotent."""
    if (position, provider) not in _panneaux:
        _panneaux.append((position, provider))
        _panneaux.sort(key=lambda item: item[0])


def panneaux_for(*, session: Session, user: User) -> list[Panneau]:
    panneaux = (provider(session=session, user=user) for _p, provider in _panneaux)
    return [panneau for panneau in panneaux if panneau is not None]
