"""docs/guide.md shows only screenshots that the journeys take (so that it never
drifts from the UI), and every screenshot taken is in the guide or its folder."""

import re
from pathlib import Path

from django.conf import settings

BROWSER_TESTS = Path(__file__).parent


def test_guide_images_are_taken_by_the_journeys() -> None:
    guide = (settings.BASE_DIR / "docs" / "guide.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\(screenshots/([a-z0-9-]+)\.png\)", guide))
    taken = set()
    for path in BROWSER_TESTS.glob("test_*.py"):
        taken |= set(
            re.findall(r'screenshot\(\s*\w+,\s*"([a-z0-9-]+)"', path.read_text())
        )
    assert shown - taken == set()
    assert len(shown) >= 20
