"""Presentation filters of certif_tags."""

from datetime import UTC, date, datetime

from django.template import Context, Template
from django.test import SimpleTestCase


def render(value: object) -> str:
    return Template("{% load certif_tags %}{{ value|date_longue }}").render(
        Context({"value": value})
    )


class DateLongueTests(SimpleTestCase):
    def test_first_of_the_month_is_premier(self) -> None:
        self.assertEqual(render(date(2026, 7, 1)), "1er juillet 2026")
        self.assertEqual(render(date(2026, 7, 2)), "2 juillet 2026")
        self.assertEqual(render(date(2026, 12, 31)), "31 décembre 2026")

    def test_aware_datetime_in_the_current_time_zone(self) -> None:
        # 30 June 23:30 UTC is 1 July in Paris.
        self.assertEqual(
            render(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)), "1er juillet 2026"
        )

    def test_nothing_for_no_date(self) -> None:
        self.assertEqual(render(None), "")
        self.assertEqual(render(""), "")
