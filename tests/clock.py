"""A fixed clock for the tests whose outcome depends on today's date: under
``frozen()`` the code and the test read the same instant, whatever the day the
suite runs (no race at midnight, no month of 28 or 31 days by chance)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

# A Wednesday morning, mid-month, outside any change of daylight saving time.
NOW = datetime(2026, 3, 18, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))


def frozen(moment: datetime = NOW) -> time_machine.travel:
    """Stop the clock at ``moment`` (a decorator for a test or a TestCase class,
    or a context manager)."""
    return time_machine.travel(moment, tick=False)
