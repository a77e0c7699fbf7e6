"""Reads of the handicap app that other apps may use. The confidential content
(needs description, documents) is never returned by these functions."""

from collections.abc import Iterable


def criteres_dispenses_for(*, inscription_ids: Iterable[int]) -> dict[int, set[int]]:
    """Granted exemptions: {inscription id: {critere id, …}} in one query.
    Implemented by the handicap issue; until then nothing is exempted."""
    return {}
