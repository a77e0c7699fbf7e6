"""Demo data of the handicap app (see certif.demo)."""

from collections.abc import Callable

Log = Callable[[str], None]


def demo_handicap(log: Log) -> None:
    """One candidate with a decided request and one exemption."""
