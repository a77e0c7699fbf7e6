"""JSON log lines, the request id, and the one line per request."""

import json
import logging
import re
import sys

from django.test import TestCase
from django.urls import reverse

from certif.logs import JsonFormatter, request_id_var
from certif.roles import Role
from tests.factories import make_user


class RequestLogTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("alice.martin@example.org", Role.ADMINISTRATEUR)

    def test_one_line_per_request_without_personal_data(self) -> None:
        self.client.force_login(self.admin)
        with self.assertLogs("certif.requests", "INFO") as logs:
            response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        request_id = response["X-Request-ID"]
        self.assertRegex(request_id, r"^[0-9a-f]{32}$")
        self.assertEqual(len(logs.records), 1)
        record = logs.records[0]
        line = json.loads(JsonFormatter().format(record))
        self.assertEqual(
            {key: line[key] for key in line if key not in {"time", "duration_ms"}},
            {
                "level": "INFO",
                "logger": "certif.requests",
                "message": "request",
                "request_id": request_id,
                "method": "GET",
                "view": "home",
                "status": 200,
                "user_id": self.admin.pk,
            },
        )
        self.assertGreater(line["duration_ms"], 0)
        self.assertRegex(
            line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$"
        )
        formatted = JsonFormatter().format(record)
        self.assertNotIn("alice", formatted)
        self.assertNotIn("example.org", formatted)

    def test_anonymous_and_unknown_page(self) -> None:
        with self.assertLogs("certif.requests", "INFO") as logs:
            response = self.client.get("/nulle-part/")
        self.assertEqual(response.status_code, 404)
        record = logs.records[0]
        self.assertEqual(
            (record.view, record.status, record.user_id, record.method),  # type: ignore[attr-defined]
            (None, 404, None, "GET"),
        )

    def test_request_id_of_the_proxy_is_kept(self) -> None:
        given = "3f2a9c4e8b1d4f6a9e0c7b5a2d1e8f40"
        response = self.client.get(reverse("sante"), HTTP_X_REQUEST_ID=given)
        self.assertEqual(response["X-Request-ID"], given)

    def test_request_id_a_client_forged_is_replaced(self) -> None:
        for forged in ("", "x", "a b c d e f g h", "<script>" * 3, "a" * 65):
            with self.subTest(forged=forged):
                response = self.client.get(reverse("sante"), HTTP_X_REQUEST_ID=forged)
                self.assertRegex(response["X-Request-ID"], r"^[0-9a-f]{32}$")


class JsonFormatterTests(TestCase):
    def test_line_carries_the_request_id_and_the_traceback(self) -> None:
        logger = logging.getLogger("certif.test")
        token = request_id_var.set("abcdef0123456789")
        try:
            try:
                raise ValueError("boom")
            except ValueError:
                record = logger.makeRecord(
                    "certif.test",
                    logging.ERROR,
                    __file__,
                    1,
                    "Émission %s : inscription %s",
                    (4, 17),
                    exc_info=sys.exc_info(),
                    extra={"emission_id": 4},
                )
            line = JsonFormatter().format(record)
        finally:
            request_id_var.reset(token)
        self.assertEqual(line.count("\n"), 0)
        entry = json.loads(line)
        self.assertEqual(entry["message"], "Émission 4 : inscription 17")
        self.assertEqual(entry["request_id"], "abcdef0123456789")
        self.assertEqual(entry["level"], "ERROR")
        self.assertEqual(entry["emission_id"], 4)
        self.assertTrue(
            re.search(r"ValueError: boom$", entry["exception"]), entry["exception"]
        )
