"""The Content-Security-Policy every page carries: strict, no inline, no eval."""

from django.test import TestCase

from certif.roles import Role
from tests.factories import make_user

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    """django-csp emits the directives in no fixed order: compare them as a dict."""
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


class ContentSecurityPolicyTests(TestCase):
    def test_login_page_policy(self) -> None:
        response = self.client.get("/connexion/")
        self.assertEqual(response.status_code, 200)
        header = response["Content-Security-Policy"]
        self.assertEqual(directives(header), EXPECTED_CSP)
        self.assertNotIn("unsafe-inline", header)
        self.assertNotIn("unsafe-eval", header)

    def test_home_page_policy_for_a_logged_in_user(self) -> None:
        self.client.force_login(make_user("admin@example.fr", Role.ADMINISTRATEUR))
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(directives(response["Content-Security-Policy"]), EXPECTED_CSP)
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")

    def test_no_inline_script_or_style_in_rendered_pages(self) -> None:
        """The policy would block them: a page must not rely on any."""
        self.client.force_login(make_user("admin@example.fr", Role.ADMINISTRATEUR))
        for url in ("/", "/connexion/", "/referentiel/"):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertNotIn(" style=", html)
                self.assertNotIn("<script>", html)
                self.assertNotIn(" onclick=", html)
