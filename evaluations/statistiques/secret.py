"""Statistical secrecy: the one home of the « < 5 » rule.

Every figure that touches disability (accommodations, exemptions, and any outcome
of the people concerned) goes through ``secret`` before it reaches a page, an
export or a report, so that no one can be singled out: below ``SEUIL_SECRET``
people the count is replaced by « < 5 ». A count shown beside the group it is
part of (``parmi``: the people with an accommodation, of whom so many were
certified) is masked too when the rest of the group is below the threshold, since
a subtraction would give it away."""

SEUIL_SECRET = 5
MASQUE = f"< {SEUIL_SECRET}"

# A count as shown: the number, or the mask.
Compte = int | str


def secret(n: int, *, parmi: int | None = None) -> Compte:
    """``n`` people, or « < 5 » when fewer than ``SEUIL_SECRET`` (zero included:
    the rule reads « no cell below five people »), or when ``n`` is part of a
    group of ``parmi`` people whose other members are between one and four."""
    if n < SEUIL_SECRET:
        return MASQUE
    if parmi is not None and 0 < parmi - n < SEUIL_SECRET:
        return MASQUE
    return n
