"""Load test of the jury's scoring grid and of saving one criterion.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/certif_bench_grid \\
        .venv/bin/python bench/grid_load.py [--requests N] [--concurrency C] [--refill]

1. Fills the PostgreSQL database (created if missing; filled once, reused on the
   next runs unless --refill): the seed référentiel, one session « en évaluation »
   with 10,000 candidates enrolled on the whole certification (bulk_create), 10 jury
   members, 3 evaluators per candidate (30,000 assignments) and, for one assignment
   in five, all 71 criteria scored (about 426,000 scores).
2. Counts the SQL queries of one grid page and of one save in-process (Django test
   client, CaptureQueriesContext), for the record.
3. Starts gunicorn with 2 sync workers on 127.0.0.1 (a free port), logs in through
   the login form as a jury member assigned to 3,000 candidates, then fires N
   requests per endpoint from a pool of C threads, loopback only: the grid page of
   an assigned candidate (rotating), the htmx save of one criterion (random
   criterion and result), and /sante/base/ (a bare Django view with one SELECT) as the
   baseline of the same run.
4. Prints p50/p95/max of the wall time per request measured by the client (it
   includes the loopback round trip and gunicorn's dispatch: an upper bound of the
   server time), and the query counts.

Targets: p95 ≤ 100 ms for the grid, ≤ 50 ms for the save (server time, 10,000
candidates in PostgreSQL, concurrent load on 2 cores).
"""

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/certif_bench_grid"
ENV = {
    "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB),
    "SECRET_KEY": "bench-only-secret-key",
    "DEBUG": "false",
    # Pages render without collectstatic (no manifest of hashed names).
    "STATIC_MANIFEST": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "certif.settings.base",
}
os.environ.update(ENV)

CANDIDATS = 10_000
MEMBRES = 10
PAR_CANDIDAT = 3
SESSION_NOM = "Bench grille"
PASSWORD = "bench-mot-de-passe"
BENCH_EMAIL = "jury0@bench.localhost"


def fill(refill: bool) -> None:
    from datetime import date, timedelta

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from certif.models import User
    from certif.roles import Role
    from certif.services import roles_setup
    from evaluations.jury.models import Affectation, MembreJury
    from evaluations.notation.models import Evaluation
    from evaluations.sessions.models import Candidat, Inscription, Session
    from referentiel.models import Critere, Referentiel
    from referentiel.services import referentiel_load

    call_command("migrate", verbosity=0)
    if Session.objects.filter(nom=SESSION_NOM).exists() and not refill:
        print("Base déjà remplie : réutilisée (--refill pour recommencer).")
        return
    if refill:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        call_command("migrate", verbosity=0)
    start = time.perf_counter()
    groups = roles_setup()
    data = (ROOT / "fixtures" / "referentiel.json").read_text(encoding="utf-8")
    import json

    referentiel: Referentiel = referentiel_load(
        data=json.loads(data), publish=True
    ).referentiel
    today = timezone.localdate()
    with transaction.atomic():
        session = Session.objects.create(
            referentiel=referentiel,
            nom=SESSION_NOM,
            date_ouverture=today - timedelta(days=30),
            date_limite_depot=timezone.now() - timedelta(days=1),
            date_jury=today + timedelta(days=10),
            statut=Session.Statut.EN_EVALUATION,
        )
        hashed = make_password(PASSWORD)
        jurys = User.objects.bulk_create(
            User(
                email=f"jury{i}@bench.localhost",
                first_name="Jury",
                last_name=f"N{i}",
                password=hashed,
            )
            for i in range(MEMBRES)
        )
        groups[Role.MEMBRE_JURY].user_set.add(*jurys)
        membres = MembreJury.objects.bulk_create(
            MembreJury(session=session, user=u, role=MembreJury.Role.MEMBRE)
            for u in jurys
        )
        users = User.objects.bulk_create(
            (
                User(
                    email=f"candidat{i}@bench.localhost",
                    first_name="Cand",
                    last_name=f"N{i}",
                    password="!",
                )
                for i in range(CANDIDATS)
            ),
            batch_size=2000,
        )
        groups[Role.CANDIDAT].user_set.add(*users)
        candidats = Candidat.objects.bulk_create(
            (
                Candidat(
                    user=u,
                    nom_naissance=f"NOM{i:05d}",
                    prenom1="Camille",
                    date_naissance=date(1990, 1, 1),
                    sexe="F",
                    commune_naissance="Paris",
                    code_insee_naissance="75056",
                )
                for i, u in enumerate(users)
            ),
            batch_size=2000,
        )
        inscriptions = Inscription.objects.bulk_create(
            (
                Inscription(
                    candidat=c,
                    session=session,
                    voie_acces="formation_continue",
                    **Inscription.tri_of(c),
                )
                for c in candidats
            ),
            batch_size=2000,
        )
        blocs = list(referentiel.blocs.all())
        through = Inscription.blocs.through
        through.objects.bulk_create(
            (
                through(inscription_id=i.pk, bloc_id=b.pk)
                for i in inscriptions
                for b in blocs
            ),
            batch_size=5000,
        )
        affectations = Affectation.objects.bulk_create(
            (
                Affectation(membre=membres[(k + j) % MEMBRES], inscription=inscription)
                for k, inscription in enumerate(inscriptions)
                for j in range(PAR_CANDIDAT)
            ),
            batch_size=5000,
        )
        criteres = list(
            Critere.objects.filter(referentiel=referentiel).values_list("pk", flat=True)
        )
        rng = random.Random(42)
        now = timezone.now()
        notees = [a for k, a in enumerate(affectations) if k % 5 == 0]
        Evaluation.objects.bulk_create(
            (
                Evaluation(
                    affectation=a,
                    critere_id=c,
                    resultat="acquis" if rng.random() < 0.9 else "non_acquis",
                    modifie_le=now,
                )
                for a in notees
                for c in criteres
            ),
            batch_size=10_000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Remplissage : {CANDIDATS} candidats, {len(affectations)} affectations, "
        f"{len(notees) * len(criteres)} notes en {time.perf_counter() - start:.0f} s"
    )


def targets() -> tuple[list[int], list[int]]:
    from evaluations.jury.models import Affectation
    from referentiel.models import Critere

    inscription_ids = list(
        Affectation.objects.filter(membre__user__email=BENCH_EMAIL)
        .order_by("inscription_id")
        .values_list("inscription_id", flat=True)
    )
    critere_ids = list(
        Critere.objects.filter(referentiel__sessions__nom=SESSION_NOM).values_list(
            "pk", flat=True
        )
    )
    return inscription_ids, critere_ids


class Mesures(TypedDict):
    grille_queries: int
    save_queries: int
    grille_cpu: list[float]  # ms per request
    save_cpu: list[float]
    sante_cpu: list[float]  # the bare view, the same way


def measure_in_process(
    inscription_ids: list[int], critere_ids: list[int], n: int
) -> Mesures:
    """Query counts of one grid page and one save, and the CPU time of the Python
    process per request (time.thread_time: what the request costs a core,
    whatever else the machine runs), through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from certif.models import User

    client = Client()
    client.force_login(User.objects.get(email=BENCH_EMAIL))

    def grid(k: int) -> None:
        url = reverse(
            "evaluations:grille", args=[inscription_ids[k % len(inscription_ids)]]
        )
        assert client.get(url).status_code == 200

    def save(k: int) -> None:
        critere = critere_ids[k % len(critere_ids)]
        url = reverse(
            "evaluations:grille_critere",
            args=[inscription_ids[k % len(inscription_ids)], critere],
        )
        response = client.post(
            url, {f"resultat-{critere}": "acquis"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200, response.status_code

    def sante(k: int) -> None:
        assert client.get("/sante/base/").status_code == 200

    queries: dict[str, int] = {}
    cpu: dict[str, list[float]] = {}
    for name, fn in (("sante", sante), ("grille", grid), ("save", save)):
        fn(0)  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            fn(1)
        queries[name] = len(ctx.captured_queries)
        cpu[name] = []
        for k in range(n):
            start = time.thread_time()
            fn(k)
            cpu[name].append((time.thread_time() - start) * 1000)
    return Mesures(
        grille_queries=queries["grille"],
        save_queries=queries["save"],
        grille_cpu=cpu["grille"],
        save_cpu=cpu["save"],
        sante_cpu=cpu["sante"],
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Session:
    """A logged-in HTTP client (cookies + CSRF token) over urllib."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )

    def csrf(self) -> str:
        return next(
            c.value for c in self.jar if c.name == "csrftoken" and c.value is not None
        )

    def login(self, email: str, password: str) -> None:
        page = self.opener.open(f"{self.base}/connexion/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "login form without CSRF token"
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": email,
                "password": password,
            }
        ).encode()
        response = self.opener.open(f"{self.base}/connexion/", data=body)
        assert urllib.parse.urlsplit(response.url).path == "/", response.url

    def timed(self, path: str, data: dict[str, str] | None = None) -> tuple[float, int]:
        headers = {}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers = {"X-CSRFToken": self.csrf(), "HX-Request": "true"}
        request = urllib.request.Request(
            f"{self.base}{path}", data=body, headers=headers
        )
        start = time.perf_counter()
        try:
            with self.opener.open(request) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        return (time.perf_counter() - start) * 1000, status


def run(
    session: Session,
    paths: Sequence[tuple[str, dict[str, str] | None]],
    concurrency: int,
) -> list[float]:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda p: session.timed(*p), paths))
    bad = [status for _, status in results if status != 200]
    assert not bad, f"unexpected statuses: {sorted(set(bad))}"
    return [ms for ms, _ in results]


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[max(0, round(0.95 * len(times)) - 1)]


def summary(label: str, times: list[float]) -> str:
    times = sorted(times)
    p50 = statistics.median(times)
    return f"{label:<28} n={len(times):<5} p50={p50:6.1f} ms  p95={p95(times):6.1f} ms  max={times[-1]:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()
    if not ENV["DATABASE_URL"].startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    from pg import ensure_database  # the benchmarks' folder, first on the path

    ensure_database(ENV["DATABASE_URL"])

    import django

    django.setup()
    fill(args.refill)
    from django.db import connection

    inscription_ids, critere_ids = targets()
    mesures = measure_in_process(inscription_ids, critere_ids, 50)
    grid_q, save_q = mesures["grille_queries"], mesures["save_queries"]
    connection.close()

    port = free_port()
    access_log = Path(tempfile.mkstemp(prefix="grid-load-", suffix=".log")[1])
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "certif.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            str(access_log),
            # request line, status, time spent in the worker (microseconds)
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
        ],
        cwd=ROOT,
        env={**os.environ, **ENV},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/sante/base/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        http_session = Session(base)
        http_session.login(BENCH_EMAIL, PASSWORD)
        rng = random.Random(7)
        n = args.requests
        warm = [(f"/jury/inscriptions/{inscription_ids[0]}/grille/", None)] * 10
        run(http_session, warm, args.concurrency)
        sante = run(http_session, [("/sante/base/", None)] * n, args.concurrency)
        grid = run(
            http_session,
            [
                (
                    f"/jury/inscriptions/{inscription_ids[k % len(inscription_ids)]}/grille/",
                    None,
                )
                for k in range(n)
            ],
            args.concurrency,
        )
        saves = []
        for _ in range(n):
            inscription = rng.choice(inscription_ids)
            critere = rng.choice(critere_ids)
            saves.append(
                (
                    f"/jury/inscriptions/{inscription}/grille/criteres/{critere}/",
                    {f"resultat-{critere}": rng.choice(["acquis", "non_acquis"])},
                )
            )
        save = run(http_session, saves, args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=10)

    server_times = parse_access_log(access_log)
    access_log.unlink()
    print(
        f"gunicorn 2 workers, {args.concurrency} clients concurrents, "
        f"{os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f}"
    )
    print(
        "Temps serveur (gunicorn %(D)s : de la prise en charge par le worker à la réponse)"
    )
    print(summary("/sante/base/ (vue Django nue)", server_times["sante"]))
    print(summary("grille (GET)", server_times["grille"]) + f"  requêtes SQL={grid_q}")
    print(
        summary("enregistrer un critère", server_times["save"])
        + f"  requêtes SQL={save_q}"
    )
    print("Temps CPU du processus Python par requête (en processus, client de test)")
    print(summary("/sante/base/ (vue Django nue)", mesures["sante_cpu"]))
    print(summary("grille (GET)", mesures["grille_cpu"]))
    print(summary("enregistrer un critère", mesures["save_cpu"]))
    print("Rapports à la vue nue du même passage (p95 / p95 de /sante/base/)")
    for label, key in (("grille (GET)", "grille"), ("enregistrer un critère", "save")):
        serveur = p95(server_times[key]) / p95(server_times["sante"])
        cpu = p95(mesures[f"{key}_cpu"]) / p95(mesures["sante_cpu"])  # type: ignore[literal-required]
        print(f"{label:28} temps serveur {serveur:5.1f} x   temps CPU {cpu:5.1f} x")
    print("Temps mur côté client (attente dans la file de gunicorn comprise)")
    print(summary("/sante/base/ (vue Django nue)", sante))
    print(summary("grille (GET)", grid))
    print(summary("enregistrer un critère", save))


def parse_access_log(path: Path) -> dict[str, list[float]]:
    """Server time per endpoint from gunicorn's access log, warm-up excluded."""
    times: dict[str, list[float]] = {"sante": [], "grille": [], "save": []}
    lines = path.read_text().splitlines()
    for line in lines:
        method, url, status, micros = line.split()
        if status != "200":
            continue
        ms = int(micros) / 1000
        if url == "/sante/base/" and method == "GET":
            times["sante"].append(ms)
        elif url.endswith("/grille/") and method == "GET":
            times["grille"].append(ms)
        elif "/grille/criteres/" in url and method == "POST":
            times["save"].append(ms)
    times["grille"] = times["grille"][10:]  # the warm-up requests
    return times


if __name__ == "__main__":
    main()
