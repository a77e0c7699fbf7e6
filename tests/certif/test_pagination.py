"""KeysPaginator: every page holds the keys of its rank, read from the nearer
end."""

from django.db import connection
from django.db.models import QuerySet
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext

from certif.models import User
from certif.pagination import KeysPaginator, paginate_keys


class KeysPaginatorTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # Names repeat: the key breaks the tie, the order is total.
        for i in range(23):
            User.objects.create(email=f"u{i:02d}@example.org", last_name=f"N{i % 4}")
        cls.ordre = list(
            User.objects.order_by("last_name", "pk").values_list("pk", flat=True)
        )

    def keys(self) -> QuerySet[User, int]:
        return User.objects.order_by("last_name", "pk").values_list("pk", flat=True)

    def test_each_page_holds_the_keys_of_its_rank(self) -> None:
        paginator = KeysPaginator(self.keys(), 5)
        self.assertEqual(paginator.num_pages, 5)
        for number in range(1, 6):
            with self.subTest(number=number):
                page = paginator.page(number)
                self.assertEqual(
                    sorted(page.object_list, key=self.ordre.index),
                    self.ordre[(number - 1) * 5 : number * 5],
                )

    def test_the_second_half_is_read_from_the_end(self) -> None:
        paginator = KeysPaginator(self.keys(), 5)
        for number, inverse in [
            (1, False),
            (2, False),
            (3, True),
            (4, True),
            (5, True),
        ]:
            with self.subTest(number=number):
                with CaptureQueriesContext(connection) as ctx:
                    list(paginator.page(number).object_list)
                sql = ctx.captured_queries[-1]["sql"]
                self.assertIs("DESC" in sql, inverse)
        # Page 3 is 8 keys from the end, 10 from the start; the last page (3
        # keys) is read with no offset.
        self.assertEqual(list(paginator.page(5).object_list), self.ordre[20:][::-1])

    def test_paginate_keys_reads_the_page_number(self) -> None:
        request = RequestFactory().get("/", {"page": "9"})
        page = paginate_keys(request, self.keys(), per_page=10)
        self.assertEqual(page.number, 3)
        self.assertEqual(sorted(page.object_list), sorted(self.ordre[20:]))
        request = RequestFactory().get("/", {"page": "x"})
        page = paginate_keys(request, self.keys(), per_page=10)
        self.assertEqual((page.number, list(page.object_list)), (1, self.ordre[:10]))
