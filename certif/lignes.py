"""Rows of long lists, as their template prints them."""


class LigneDeListe:
    """Base of the rows that a selector computes for a long list (a page of the
    session desk, of the jury page). A template looks each name up as a key
    first (``row["nom"]``), then as an attribute: answering the key spares the
    exception of a failed subscript on each of a page's thousand lookups."""

    __slots__ = ()

    __getitem__ = object.__getattribute__
