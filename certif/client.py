"""The client's address, one answer for every feature that counts requests per
client (login lockout, rate limits).

Behind ``TRUSTED_PROXIES`` reverse proxies, each proxy appends the address it
received the request from to ``X-Forwarded-For`` and the nearest one is
``REMOTE_ADDR``. Only those last entries are trusted: the client is the entry just
before them. Whatever a client writes further left in the header is ignored, and
with ``TRUSTED_PROXIES = 0`` (no proxy, the default) the header is not read at all,
so a forged header cannot pick the address that gets counted."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies: int = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    chain.append(remote)
    candidate = chain[max(len(chain) - 1 - proxies, 0)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
