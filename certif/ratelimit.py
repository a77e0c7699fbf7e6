"""A sliding-window rate limit in the shared cache (every web process counts the
same requests).

A key keeps the times of the requests it *accepted* during the last ``window``
seconds. A request is accepted while fewer than ``limit`` of them remain; a refused
request is not recorded, so hammering a refused key never extends the wait, and the
wait announced (``Retry-After``) is exactly the time until the oldest accepted
request leaves the window. Two processes updating one key at the same instant may
each record their request over the other's (the cache has no atomic list append):
under such a race a client gets at most a few more requests, never fewer."""

import math
import time

from django.core.cache import cache


def rate_limit_hit(key: str, *, limit: int, window: int) -> int:
    """Record one request under ``key`` if the window allows it and return 0;
    otherwise return the whole number of seconds to wait (at least 1)."""
    now = time.time()
    stamps = cache.get(key)
    if not isinstance(stamps, list):
        stamps = []
    stamps = [stamp for stamp in stamps if stamp > now - window]
    if len(stamps) >= limit:
        return max(1, math.ceil(stamps[0] + window - now))
    stamps.append(now)
    cache.set(key, stamps, timeout=window)
    return 0
