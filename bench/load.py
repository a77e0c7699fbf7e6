"""Load scenario of the whole platform: candidates browsing their space, jury members
scoring, the administrator's session desk, against a bare Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/certif_bench_load \\
        .venv/bin/python bench/load.py [--requests N] [--concurrency C] [--refill]

1. Fills PostgreSQL with bench/grid_load.py's filler (created and filled once,
   reused later; --refill starts again): the seed référentiel, one session « en
   évaluation » with 10,000 candidates, 10 jury members, 3 evaluators per candidate,
   one assignment in five fully scored. Then, idempotently: an administrator, and a
   password for 50 candidates so that they can log in; then VACUUM ANALYZE, as
   autovacuum keeps a production database (the development server runs without).
2. Counts the SQL queries of each page in-process (Django test client).
3. Starts gunicorn (2 sync workers) on 127.0.0.1, logs in through the login form
   as 50 candidates, one jury member and the administrator, and sends N requests
   per endpoint from C client threads: candidate pages (rotating over the 50
   candidates), jury pages (grid, dashboard, save one criterion), the
   administrator's desk (page 1, the middle page 100, the last page 200, a
   search), the session's jury page (page 1, the middle page 200, the last page
   400, a search), and /sante/base/ (a bare Django view: one SELECT, no
   template) as the baseline of the same run.
4. Prints, per endpoint: p50/p95 of the server time (gunicorn access log %(D)s),
   its p95 as a ratio to the bare view's p95 of the same run, the CPU time per
   request (median of « Server-Timing: cpu », time.thread_time in the worker,
   which other processes on the machine do not change) and its ratio to the bare
   view's, throughput (requests per second over the batch, C clients), and the
   query count.
5. Then the same batches through the production front: nginx
   (deploy/nginx/certif-locations.conf) in front of two gunicorn instances of one
   sync worker each (the same two processes), same data, same run: client
   p50/p95 and throughput beside the direct figures.

A benchmark, not a test: run it on demand, on a quiet machine.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/certif_bench_load"
)
sys.path.insert(0, str(Path(__file__).resolve().parent))

import grid_load  # noqa: E402 - after DATABASE_URL: the module reads it at import

ADMIN_EMAIL = "admin@bench.localhost"
BASE = "vue nue (/sante/base/)"
CANDIDATS_CONNECTES = 50


def fill_extra() -> None:
    """Log-in rights for the scenario's personas (idempotent)."""
    from django.contrib.auth.hashers import make_password

    from certif.models import User
    from certif.roles import Role
    from certif.services import roles_setup

    groups = roles_setup()
    hashed = make_password(grid_load.PASSWORD)
    admin, _ = User.objects.get_or_create(
        email=ADMIN_EMAIL,
        defaults={"first_name": "Admin", "last_name": "Bench", "password": hashed},
    )
    groups[Role.ADMINISTRATEUR].user_set.add(admin)
    emails = [f"candidat{i}@bench.localhost" for i in range(CANDIDATS_CONNECTES)]
    User.objects.filter(email__in=emails).update(password=hashed)


@dataclass(frozen=True)
class Scenario:
    """Ids used to build the URLs."""

    session: int
    candidats: list[tuple[str, int]]  # (e-mail, enrolment id)
    grille: list[int]
    criteres: list[int]


# persona, function k → (path, POST data or None)
Endpoint = tuple[str, Callable[[int], tuple[str, dict[str, str] | None]]]


def scenario() -> Scenario:
    """Ids used to build the URLs."""
    from evaluations.sessions.models import Inscription, Session

    session = Session.objects.get(nom=grid_load.SESSION_NOM)
    candidats = list(
        Inscription.objects.filter(
            session=session,
            candidat__user__email__in=[
                f"candidat{i}@bench.localhost" for i in range(CANDIDATS_CONNECTES)
            ],
        ).values_list("candidat__user__email", "pk")
    )
    inscription_ids, critere_ids = grid_load.targets()
    return Scenario(
        session=session.pk,
        candidats=candidats,
        grille=inscription_ids,
        criteres=critere_ids,
    )


def endpoints(ids: Scenario) -> dict[str, Endpoint]:
    """label → (persona, function k → (path, POST data or None))."""
    session = ids.session
    candidats = ids.candidats
    grille = ids.grille
    criteres = ids.criteres
    rng = random.Random(11)

    def save(k: int) -> tuple[str, dict[str, str] | None]:
        critere = rng.choice(criteres)
        return (
            f"/jury/inscriptions/{grille[k % len(grille)]}/grille/criteres/{critere}/",
            {f"resultat-{critere}": rng.choice(["acquis", "non_acquis"])},
        )

    return {
        BASE: ("jury", lambda k: ("/sante/base/", None)),
        "candidat : accueil": ("candidat", lambda k: ("/", None)),
        "candidat : mon dossier": ("candidat", lambda k: ("/candidat/", None)),
        "candidat : dossier de session": (
            "candidat",
            lambda k: (
                f"/candidat/inscriptions/{candidats[k % len(candidats)][1]}/",
                None,
            ),
        ),
        "candidat : mes documents": ("candidat", lambda k: ("/documents/", None)),
        "jury : mes évaluations": ("jury", lambda k: ("/jury/mes-evaluations/", None)),
        "jury : grille (GET)": (
            "jury",
            lambda k: (f"/jury/inscriptions/{grille[k % len(grille)]}/grille/", None),
        ),
        "jury : enregistrer un critère": ("jury", save),
        "admin : bureau de session p.1": (
            "admin",
            lambda k: (f"/sessions/{session}/", None),
        ),
        "admin : bureau p.100": (
            "admin",
            lambda k: (f"/sessions/{session}/?page=100", None),
        ),
        "admin : bureau p.200": (
            "admin",
            lambda k: (f"/sessions/{session}/?page=200", None),
        ),
        "admin : recherche": (
            "admin",
            lambda k: (f"/sessions/{session}/?q=NOM0{k % 1000:04d}", None),
        ),
        "admin : jury de la session": (
            "admin",
            lambda k: (f"/jury/sessions/{session}/", None),
        ),
        "admin : jury p.200": (
            "admin",
            lambda k: (f"/jury/sessions/{session}/?page=200", None),
        ),
        "admin : jury p.400": (
            "admin",
            lambda k: (f"/jury/sessions/{session}/?page=400", None),
        ),
        "admin : jury, recherche": (
            "admin",
            lambda k: (f"/jury/sessions/{session}/?q=NOM0{k % 1000:04d}", None),
        ),
    }


def query_counts(ids: Scenario, table: dict[str, Endpoint]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from certif.models import User

    candidats = ids.candidats
    users = {
        "candidat": User.objects.get(email=candidats[0][0]),
        "jury": User.objects.get(email=grid_load.BENCH_EMAIL),
        "admin": User.objects.get(email=ADMIN_EMAIL),
    }
    counts = {}
    for label, (persona, build) in table.items():
        client = Client()
        client.force_login(users[persona])
        path, data = build(0)
        headers = {"HX-Request": "true"} if data is not None else {}
        send = client.post if data is not None else client.get
        send(path, data, headers=headers)  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            response = send(path, data, headers=headers)
        assert response.status_code == 200, (label, response.status_code)
        counts[label] = len(ctx.captured_queries)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()
    url = grid_load.ENV["DATABASE_URL"]
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    from pg import ensure_database  # the benchmarks' folder, first on the path

    ensure_database(url)

    import django

    django.setup()
    grid_load.fill(args.refill)
    fill_extra()
    from django.db import connection

    # The tables as autovacuum keeps them in production (visibility map for
    # index-only scans, planner statistics): this development server runs with
    # autovacuum off. A few seconds once the tables are vacuumed.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    ids = scenario()
    table = endpoints(ids)
    counts = query_counts(ids, table)
    connection.close()

    results = {
        "direct": measure(ids, table, args, through_nginx=False),
        "nginx": measure(ids, table, args, through_nginx=True),
    }
    print(
        f"{args.concurrency} clients, {args.requests} requêtes par page, "
        f"{os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f}"
    )
    print(
        "direct : 1 gunicorn, 2 workers sync ; nginx : nginx devant 2 gunicorn "
        "de 1 worker sync (deploy/nginx/certif-locations.conf)"
    )
    base_p95 = percentile(results["direct"][BASE].server_ms, 95)
    base_cpu = statistics.median(results["direct"][BASE].cpu_ms)
    print(
        f"{'page':<32} {'SQL':>4} {'serveur p50':>12} {'p95':>8} {'/ nue':>6} "
        f"{'CPU':>8} {'/ nue':>6} {'client p95':>11} {'débit':>8}   "
        f"{'nginx: client p95':>17} {'débit':>8}"
    )
    for label in table:
        direct = results["direct"][label]
        nginx = results["nginx"][label]
        p95 = percentile(direct.server_ms, 95)
        cpu = statistics.median(direct.cpu_ms)
        print(
            f"{label:<32} {counts[label]:>4} "
            f"{statistics.median(direct.server_ms):>9.1f} ms {p95:>5.1f} ms "
            f"{p95 / base_p95:>5.1f}x {cpu:>5.1f} ms {cpu / base_cpu:>5.1f}x "
            f"{direct.client_p95:>8.1f} ms {direct.debit:>5.1f}/s   "
            f"{nginx.client_p95:>14.1f} ms {nginx.debit:>5.1f}/s"
        )


def _gunicorn(port: int, workers: int, access_log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "certif.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(s)s|%({server-timing}o)s|%(D)s",
        ],
        cwd=ROOT,
        env={**os.environ, **grid_load.ENV, "SERVER_TIMING": "true"},
    )


@dataclass(frozen=True)
class Mesure:
    debit: float  # requests per second over the batch
    client_p50: float
    client_p95: float
    server_ms: list[float]  # gunicorn's %(D)s
    cpu_ms: list[float]  # Server-Timing: cpu, per request


def measure(
    ids: Scenario,
    table: dict[str, Endpoint],
    args: argparse.Namespace,
    *,
    through_nginx: bool,
) -> "dict[str, Mesure]":
    """One batch per page against one gunicorn of 2 workers, or through nginx in
    front of two gunicorn of 1 worker each (the same number of processes)."""
    tmp = Path(tempfile.mkdtemp(prefix="load-"))
    tmp.chmod(0o755)
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    if through_nginx:
        sys.path.insert(0, str(ROOT / "deploy"))
        import smoke

        for sub in ("logs", "nginx-tmp", "static", "private"):
            (tmp / sub).mkdir()
        upstreams = [grid_load.free_port(), grid_load.free_port()]
        for i, up in enumerate(upstreams):
            logs.append(tmp / f"access{i}.log")
            processes.append(_gunicorn(up, 1, logs[-1]))
        port = grid_load.free_port()
        conf = smoke.nginx_conf(tmp, port=port, upstreams=upstreams)
        processes.append(
            subprocess.Popen(
                [
                    "/usr/sbin/nginx",
                    "-p",
                    str(tmp),
                    "-c",
                    str(conf),
                    "-g",
                    "daemon off;",
                ]
            )
        )
    else:
        port = grid_load.free_port()
        logs.append(tmp / "access.log")
        processes.append(_gunicorn(port, 2, logs[0]))
    for log in logs:
        log.touch()
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Mesure] = {}
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/sante/base/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        sessions: dict[str, list[grid_load.Session]] = {
            "candidat": [],
            "jury": [],
            "admin": [],
        }
        for email, _pk in ids.candidats:
            s = grid_load.Session(base)
            s.login(email, grid_load.PASSWORD)
            sessions["candidat"].append(s)
        for persona, email in (("jury", grid_load.BENCH_EMAIL), ("admin", ADMIN_EMAIL)):
            s = grid_load.Session(base)
            s.login(email, grid_load.PASSWORD)
            sessions[persona].append(s)

        handles = [open(log) for log in logs]  # noqa: SIM115 - closed below
        try:
            for label, (persona, build) in table.items():
                pool_sessions = sessions[persona]
                requests = [
                    (pool_sessions[k % len(pool_sessions)], *build(k))
                    for k in range(args.requests)
                ]
                # Warm-up, then the measured batch.
                for session, path, data in requests[:5]:
                    session.timed(path, data)
                time.sleep(0.3)
                for handle in handles:
                    handle.seek(0, os.SEEK_END)
                start = time.perf_counter()
                with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                    outcome = list(pool.map(lambda r: r[0].timed(r[1], r[2]), requests))
                wall = time.perf_counter() - start
                bad = sorted({status for _, status in outcome if status != 200})
                assert not bad, (label, bad)
                time.sleep(0.3)  # let gunicorn flush its access log
                lines = [
                    line.split("|")
                    for handle in handles
                    for line in handle.read().splitlines()
                ]
                server_ms = [int(d) / 1000 for s, _t, d in lines if s == "200"]
                cpu_ms = [
                    float(t.partition("dur=")[2]) for s, t, _d in lines if s == "200"
                ]
                client_ms = [ms for ms, _ in outcome]
                results[label] = Mesure(
                    len(requests) / wall,
                    statistics.median(client_ms),
                    percentile(client_ms, 95),
                    server_ms,
                    cpu_ms,
                )
        finally:
            for handle in handles:
                handle.close()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(p / 100 * len(ordered)) - 1)]


if __name__ == "__main__":
    main()
