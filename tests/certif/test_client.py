"""The client address behind TRUSTED_PROXIES proxies (certif.client)."""

from django.test import RequestFactory, SimpleTestCase, override_settings

from certif.client import client_address


def address(forwarded: str | None, remote: str = "10.0.0.9") -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request)


class ClientAddressTests(SimpleTestCase):
    def test_without_proxy_the_header_is_ignored(self) -> None:
        self.assertEqual(address("1.2.3.4"), "10.0.0.9")

    @override_settings(TRUSTED_PROXIES=1)
    def test_one_proxy(self) -> None:
        self.assertEqual(address("6.6.6.6, 1.2.3.4"), "1.2.3.4")
        self.assertEqual(address("1.2.3.4"), "1.2.3.4")
        # Reached without the proxy: nothing appended, REMOTE_ADDR is the client.
        self.assertEqual(address(None), "10.0.0.9")

    @override_settings(TRUSTED_PROXIES=2)
    def test_two_proxies(self) -> None:
        self.assertEqual(address("6.6.6.6, 1.2.3.4, 10.0.0.5"), "1.2.3.4")
        # Fewer entries than proxies: the leftmost one.
        self.assertEqual(address("10.0.0.5"), "10.0.0.5")

    @override_settings(TRUSTED_PROXIES=1)
    def test_not_an_address_falls_back_to_the_peer(self) -> None:
        self.assertEqual(address("6.6.6.6, pas-une-adresse"), "10.0.0.9")
        self.assertEqual(address("2001:DB8::1"), "2001:db8::1")
