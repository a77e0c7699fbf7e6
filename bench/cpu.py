"""CPU time per request of bench/load.py's pages, in-process (no gunicorn, no clients).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/certif_bench_load \\
        .venv/bin/python bench/cpu.py [--requests N] [--only TEXT] [--profile LABEL]

Same database, personas and URLs as bench/load.py (it fills the database the same
way). Each page is requested N times through Django's test client after two
warm-up requests; prints the median and minimum CPU time of one request
(``time.thread_time``: other processes of the machine do not change it), its ratio
to the bare view's, and the query count. ``--profile LABEL`` prints the cProfile of
that page's requests (30 lines, by cumulative time, or by the order named in
BENCH_SORT, e.g. BENCH_SORT=tottime). A measuring tool for work in
progress; the figures of record come from bench/load.py.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/certif_bench_load"
)
os.environ.setdefault("STATIC_MANIFEST", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # after DATABASE_URL: grid_load reads it at import


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--only", default="")
    parser.add_argument("--profile", default="")
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()
    from pg import ensure_database

    ensure_database(load.grid_load.ENV["DATABASE_URL"])
    import django

    django.setup()
    load.grid_load.fill(args.refill)
    load.fill_extra()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from certif.models import User

    ids = load.scenario()
    table = load.endpoints(ids)
    users = {
        "candidat": User.objects.get(email=ids.candidats[0][0]),
        "jury": User.objects.get(email=load.grid_load.BENCH_EMAIL),
        "admin": User.objects.get(email=load.ADMIN_EMAIL),
    }
    base_cpu = None
    print(f"{'page':<32} {'SQL':>4} {'CPU médiane':>12} {'min':>8} {'/ nue':>6}")
    for label, (persona, build) in table.items():
        if args.only and args.only not in label and label != load.BASE:
            continue
        client = Client()
        client.force_login(users[persona])
        # a candidate reads their own pages: always the first one's
        fixed = persona == "candidat"
        request(client, build, 0, label)
        request(client, build, 1 if not fixed else 0, label)
        with CaptureQueriesContext(connection) as ctx:
            request(client, build, 2 if not fixed else 0, label)
        queries = len(ctx.captured_queries)  # now: each request empties the log
        cpu = []
        profiler = (
            cProfile.Profile() if args.profile and args.profile in label else None
        )
        for k in range(args.requests):
            if profiler:
                profiler.enable()
            start = time.thread_time()
            request(client, build, 0 if fixed else k, label)
            cpu.append((time.thread_time() - start) * 1000)
            if profiler:
                profiler.disable()
        median = statistics.median(cpu)
        if label == load.BASE:
            base_cpu = median
        ratio = f"{median / base_cpu:>5.1f}x" if base_cpu else "     "
        print(f"{label:<32} {queries:>4} {median:>9.2f} ms {min(cpu):>5.2f} ms {ratio}")
        if profiler:
            pstats.Stats(profiler).sort_stats(
                os.environ.get("BENCH_SORT", "cumulative")
            ).print_stats(30)


def request(client: Any, build: Any, k: int, label: str) -> None:
    path, data = build(k)
    headers = {"HX-Request": "true"} if data is not None else {}
    send = client.post if data is not None else client.get
    response = send(path, data, headers=headers)
    assert response.status_code == 200, (label, response.status_code)


if __name__ == "__main__":
    main()
