"""The sections that higher areas add to a candidate's result page (the appeals:
``evaluations/recours``). This area knows none of them: each registers its
provider when the app loads (``evaluations/home.py``), as the session desk's
panels do. A provider returns None when it has nothing to show."""

from collections.abc import Callable

from certif.models import User
from evaluations.sessions.bureau import Panneau
from evaluations.sessions.models import Inscription

SectionProvider = Callable[..., Panneau | None]

_sections: list[tuple[int, SectionProvider]] = []


def register_section(*, position: int, provider: SectionProvider) -> None:
    """Add a section: ``provider(inscription=…, user=…)``. Idempotent."""
    if (position, provider) not in _sections:
        _sections.append((position, provider))
        _sections.sort(key=lambda item: item[0])


def sections_for(*, inscription: Inscription, user: User) -> list[Panneau]:
    sections = (
        provider(inscription=inscription, user=user) for _p, provider in _sections
    )
    return [section for section in sections if section is not None]
