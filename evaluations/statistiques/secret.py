"""Statistical secrecy: the one home of the « < 5 » rule.

Every figure that touches disability (accommodations, exemptions, and any outcome
of the people concerned) goes through ``secret`` before it reaches a page, an
export or a report, so that no one can be singled out: below ``SEUIL_SECRET``
people the count is replaced by « < 5 »."""

SEUIL_SECRET = 5
MASQUE = f"< {SEUIL_SECRET}"

# A count as shown: the number, or the mask.
Compte = int | str


def secret(n: int) -> Compte:
    """``n`` people, or « < 5 » when fewer than ``SEUIL_SECRET`` (zero included:
    the rule reads « no cell below five people »)."""
    return n if n >= SEUIL_SECRET else MASQUE
