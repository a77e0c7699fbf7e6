"""Demo data of the evaluations app, one step per area (see certif.demo)."""

from collections.abc import Callable

Log = Callable[[str], None]


def demo_sessions(log: Log) -> None:
    """An open session with candidates who uploaded some files."""


def demo_jury(log: Log) -> None:
    """A composed jury, assignments and some scores."""


def demo_documents(log: Log) -> None:
    """Nothing to pre-issue: the administrator issues documents in the browser."""
