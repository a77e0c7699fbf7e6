"""Reads of the handicap app that other apps may use. The confidential content
(needs description, documents) is never returned by these functions."""

from collections.abc import Iterable


def criteres_dispenses_for(*, inscription_ids: Iterable[int]) -> dict[int, set[int]]:
    """Granted exemptions: {inscription id: {critere id, …}} in one query.
    Implemented by the handicap issue; until then nothing is exempted."""
    return {}


def amenagements_for_jury(*, inscription_id: int) -> list[object]:
    """The accommodations granted to an enrolment and the avis motivé, as the jury
    may see them (never the medical details). Implemented by the handicap issue;
    the jury's grid includes ``handicap/_amenagements_jury.html`` with it."""
    return []
