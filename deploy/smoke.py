"""The production stack on this machine, driven end to end (``deploy/smoke``).

Starts, against PostgreSQL: nginx on 127.0.0.1 with the site's own locations
(``deploy/nginx/certif-locations.conf``), two gunicorn instances
(``deploy/gunicorn.conf.py``) as its upstream, and two ``db_worker`` processes.
Then, through nginx only:

1. static files under hashed names with a year of cache; ``/_prive/`` refused;
   a request larger than the limit refused by nginx (413);
2. a candidate logs in, uploads a PDF and downloads it: gunicorn answers with
   ``X-Accel-Redirect`` and an empty body, nginx sends the bytes; another
   candidate gets 404;
3. the administrator launches the emission of a session of 25 certified
   candidates (51 documents: a parchment and a transcript each, and the PV); one
   worker is killed (SIGKILL) while it runs a task; the batch completes, every
   document exactly once, both workers took part;
4. the public verification page of an issued document, its download (SHA-256 as
   issued), ``/sante/`` (the dead worker gone), and the JSON logs of Django and
   nginx carrying the same request id.

Everything started is stopped at the end, pass or fail; the database is dropped
and the temporary directory removed (``--keep`` keeps them to look at).

    deploy/smoke [--keep]    (DATABASE_URL defaults to …/certif_smoke)
"""

import argparse
import hashlib
import http.client
import http.cookiejar
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "smoke-only-password"
CANDIDATS = 25
PORTS = {"nginx": 18080, "web1": 18081, "web2": 18082}


class SmokeError(AssertionError):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeError(message)


def step(message: str) -> None:
    print(f"[smoke] {message}", flush=True)


# --- the stack ----------------------------------------------------------------


def _database(url: str, *, drop_only: bool = False) -> None:
    import psycopg2
    from psycopg2 import sql

    base, name = url.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        if not drop_only:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def environment(tmp: Path, database_url: str) -> dict[str, str]:
    """Production settings, on plain HTTP at 127.0.0.1 (no TLS here)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "DJANGO_SETTINGS_MODULE": "certif.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://certif.example.fr",
        "DATABASE_URL": database_url,
        "CERTIF_VAR_DIR": str(tmp / "var"),
        "STATIC_ROOT": str(tmp / "static"),
        "PRIVATE_STORAGE_ROOT": str(tmp / "private"),
        "X_ACCEL_REDIRECT_PREFIX": "/_prive/",
        "TRUSTED_PROXIES": "1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_FORMAT": "json",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_LEASE_SECONDS": "5",
        "GUNICORN_WORKERS": "2",
    }


def nginx_conf(tmp: Path, *, port: int, upstreams: list[int]) -> Path:
    """nginx.conf for a user's nginx: the site's locations, the upstream of the
    two instances, every path under ``tmp``."""
    locations = (ROOT / "deploy" / "nginx" / "certif-locations.conf").read_text()
    locations = locations.replace("/srv/certif/", f"{tmp}/")
    (tmp / "certif-locations.conf").write_text(locations)
    site = (ROOT / "deploy" / "nginx" / "certif.conf").read_text()
    log_format = re.search(r"log_format certif_json.*?;\n", site, re.S)
    check(log_format, "deploy/nginx/certif.conf: no log_format certif_json")
    assert log_format is not None
    user = "user www-data www-data;" if os.geteuid() == 0 else ""
    conf = f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/logs/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {tmp}/nginx-tmp/body;
    proxy_temp_path {tmp}/nginx-tmp/proxy;
    fastcgi_temp_path {tmp}/nginx-tmp/fastcgi;
    uwsgi_temp_path {tmp}/nginx-tmp/uwsgi;
    scgi_temp_path {tmp}/nginx-tmp/scgi;
    {log_format.group(0)}
    upstream certif_web {{
        {"".join(f"server 127.0.0.1:{up}; " for up in upstreams)}
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        access_log {tmp}/logs/nginx-access.log certif_json;
        include {tmp}/certif-locations.conf;
    }}
}}
"""
    path = tmp / "nginx.conf"
    path.write_text(conf)
    return path


class Stack:
    """The processes started, each with its log; stopped in ``stop``."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.env = env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], **env: str) -> None:
        log = open(self.tmp / "logs" / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def alive(self) -> None:
        for name, process in self.processes.items():
            if name != "worker1" and process.poll() is not None:
                raise SmokeError(f"{name} stopped: see {self.tmp}/logs/{name}.log")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


# --- data -----------------------------------------------------------------------


def make_data() -> dict[str, int]:
    """The référentiel, a certifier, an administrator, an open session with two
    candidates, and a deliberated session of CANDIDATS certified candidates."""
    from datetime import date, timedelta

    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from certif.roles import Role
    from certif.services import roles_setup, user_ensure
    from evaluations.deliberation.models import Deliberation
    from evaluations.demo import _demo_image, _logo, _signature
    from evaluations.jury.models import MembreJury
    from evaluations.notation.models import Consolidation
    from evaluations.sessions.models import Candidat, Inscription, Session
    from referentiel.models import Bloc, Certificateur, Critere, Modalite
    from referentiel.services import referentiel_load

    roles_setup()
    data = json.loads((settings.BASE_DIR / "fixtures" / "referentiel.json").read_text())
    data["certification"]["code"] = "RNCP12345"
    referentiel = referentiel_load(data=data, publish=True).referentiel
    certificateur = Certificateur.objects.create(
        raison_sociale="Institut Exemple",
        siret="73282932000074",
        adresse="12 rue des Écoles\n69002 Lyon",
        ville="Lyon",
        signataire_nom="Claire Martin",
        signataire_qualite="Directrice générale",
        recours="Recours écrit sous deux mois.",
    )
    certificateur.logo.save("logo.png", ContentFile(_demo_image(120, 60, _logo)))
    certificateur.signature.save(
        "signature.png", ContentFile(_demo_image(180, 80, _signature))
    )
    certification = referentiel.certification
    certification.certificateur = certificateur
    certification.nsf = "312p"
    certification.date_enregistrement = date(2024, 3, 28)
    certification.save()
    for bloc in Bloc.objects.filter(referentiel=referentiel):
        bloc.code_rncp = f"RNCP12345BC{bloc.ordre + 1:02d}"
        bloc.save(update_fields=["code_rncp"])
    blocs = list(referentiel.blocs.all())
    user_ensure(
        email="admin@smoke.example",
        first_name="Alice",
        last_name="Martin",
        roles=[Role.ADMINISTRATEUR],
        password=PASSWORD,
    )
    president, _ = user_ensure(
        email="president@smoke.example",
        first_name="Paul",
        last_name="Durand",
        roles=[Role.PRESIDENT, Role.MEMBRE_JURY],
        password=PASSWORD,
    )
    today = timezone.localdate()

    def candidat(email: str, nom: str) -> Candidat:
        user, _ = user_ensure(
            email=email,
            first_name="Camille",
            last_name=nom,
            roles=[Role.CANDIDAT],
            password=PASSWORD,
        )
        return Candidat.objects.create(
            user=user,
            nom_naissance=nom.upper(),
            prenom1="Camille",
            date_naissance=date(1990, 1, 1),
            sexe="F",
            commune_naissance="Paris",
            code_insee_naissance="75056",
        )

    ouverte = Session.objects.create(
        referentiel=referentiel,
        nom="Session ouverte",
        date_ouverture=today - timedelta(days=7),
        date_limite_depot=timezone.now() + timedelta(days=30),
        date_jury=today + timedelta(days=60),
        statut=Session.Statut.OUVERTE,
    )
    depots = []
    for email, nom in (
        ("candidat@smoke.example", "Petit"),
        ("autre@smoke.example", "Autre"),
    ):
        fiche = candidat(email, nom)
        inscription = Inscription.objects.create(
            candidat=fiche,
            session=ouverte,
            voie_acces="formation_continue",
            **Inscription.tri_of(fiche),
        )
        inscription.blocs.set(blocs)
        depots.append(inscription)

    deliberee = Session.objects.create(
        referentiel=referentiel,
        nom="Session délibérée",
        date_ouverture=today - timedelta(days=60),
        date_limite_depot=timezone.now() - timedelta(days=20),
        date_jury=today - timedelta(days=1),
        statut=Session.Statut.DELIBEREE,
    )
    membre = MembreJury.objects.create(
        session=deliberee, user=president, role=MembreJury.Role.PRESIDENT
    )
    criteres = list(Critere.objects.filter(referentiel=referentiel))
    for i in range(CANDIDATS):
        fiche = candidat(f"c{i:02d}@smoke.example", f"Nom{i:02d}")
        inscription = Inscription.objects.create(
            candidat=fiche,
            session=deliberee,
            voie_acces="formation_continue",
            **Inscription.tri_of(fiche),
        )
        inscription.blocs.set(blocs)
        Consolidation.objects.bulk_create(
            Consolidation(
                inscription=inscription,
                critere=critere,
                resultat="acquis",
                modifie_par=president,
            )
            for critere in criteres
        )
        deliberation = Deliberation.objects.create(
            inscription=inscription,
            decision=Deliberation.Decision.CERTIFIE,
            motif="Tous les critères sont acquis.",
            verrouillee=True,
            decidee_le=timezone.now(),
            decidee_par=president,
        )
        deliberation.blocs_valides.set(blocs)
        deliberation.presents.set([membre])
    modalite = Modalite.objects.filter(competence__referentiel=referentiel).first()
    assert modalite is not None
    return {
        "inscription": depots[0].pk,
        "modalite": modalite.pk,
        "deliberee": deliberee.pk,
    }


# --- HTTP -----------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """A client with its cookies, speaking to one address."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(
        self,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(
            self.base + path, data=data, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value or ""
        raise SmokeError("no CSRF cookie")

    def post(
        self,
        path: str,
        fields: dict[str, str],
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        fields = {"csrfmiddlewaretoken": self.csrf(), **fields}
        headers = {"Referer": self.base + path}
        if files:
            boundary = uuid.uuid4().hex
            body = io.BytesIO()
            for name, value in fields.items():
                body.write(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                    f"\r\n\r\n{value}\r\n".encode()
                )
            for name, (filename, content) in files.items():
                body.write(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                )
                body.write(content + b"\r\n")
            body.write(f"--{boundary}--\r\n".encode())
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            return self.request(path, body.getvalue(), headers)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request(path, urllib.parse.urlencode(fields).encode(), headers)

    def login(self, email: str) -> None:
        status, _, _ = self.request("/connexion/")
        check(status == 200, f"login page: {status}")
        status, _, _ = self.post(
            "/connexion/", {"username": email, "password": PASSWORD}
        )
        check(status == 302, f"login of {email}: {status}")


def pdf(text: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def wait_until(
    what: str, condition: Callable[[], bool], timeout: float, stack: Stack
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.alive()
        if condition():
            return
        time.sleep(0.2)
    raise SmokeError(f"timed out after {timeout:.0f} s: {what}")


# --- the journey ------------------------------------------------------------------


def journey(stack: Stack, ids: dict[str, int]) -> None:
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    from evaluations.documents.models import Document, EmissionSession
    from evaluations.livrables.models import Livrable

    nginx = PORTS["nginx"]

    step("static files: hashed name, a year of cache")
    anonyme = Browser(nginx)
    status, headers, body = anonyme.request("/connexion/")
    check(status == 200, f"login page through nginx: {status}")
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', body.decode())
    check(css, "the login page links no hashed app.css")
    assert css is not None
    status, headers, _ = anonyme.request(css.group(1))
    check(status == 200, f"{css.group(1)}: {status}")
    check(
        headers.get("Cache-Control") == "public, max-age=31536000, immutable",
        f"static cache: {headers.get('Cache-Control')}",
    )
    status, _, _ = anonyme.request("/_prive/README")
    check(status == 404, f"/_prive/ reached from outside: {status}")

    step("request over the size limit: 413 from nginx")
    connection = http.client.HTTPConnection("127.0.0.1", nginx, timeout=30)
    connection.putrequest("POST", "/verification/")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(30 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    check(response.status == 413, f"oversized request: {response.status}")
    check("nginx" in (response.getheader("Server") or ""), "413 not from nginx")
    connection.close()

    step("a candidate uploads a file and downloads it through nginx")
    candidat = Browser(nginx)
    candidat.login("candidat@smoke.example")
    depot = f"/candidat/inscriptions/{ids['inscription']}/modalites/{ids['modalite']}/deposer/"
    content = pdf("Mémoire de fin de parcours")
    status, _, _ = candidat.post(
        depot, {}, files={"fichiers": ("Mémoire.pdf", content)}
    )
    check(status == 302, f"upload: {status}")
    close_old_connections()
    livrable = Livrable.objects.get(inscription_id=ids["inscription"])
    url = f"/livrables/{livrable.pk}/telecharger/"
    status, headers, body = candidat.request(url)
    check(status == 200, f"download through nginx: {status}")
    check(body == content, "downloaded bytes differ from the upload")
    check(headers.get("X-Accel-Served") == "yes", "the file did not come from nginx")
    check("X-Accel-Redirect" not in headers, "X-Accel-Redirect leaked to the client")
    check(
        headers.get("Content-Disposition")
        == "attachment; filename*=utf-8''M%C3%A9moire.pdf",
        f"Content-Disposition: {headers.get('Content-Disposition')}",
    )
    check(headers.get("Cache-Control") == "private, no-store", "private file cached")
    request_id = headers.get("X-Request-ID", "")
    check(re.fullmatch(r"[0-9a-f]{32}", request_id), f"request id: {request_id!r}")
    # The same request straight to a web instance: an empty body and the order.
    direct = Browser(PORTS["web1"])
    direct.jar = candidat.jar
    direct.opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(candidat.jar), NoRedirect()
    )
    status, headers, body = direct.request(url)
    check(
        status == 200 and body == b"",
        f"gunicorn sent a body ({status}, {len(body)} bytes)",
    )
    check(
        headers.get("X-Accel-Redirect")
        == "/_prive/" + urllib.parse.quote(str(livrable.fichier.name)),
        f"X-Accel-Redirect: {headers.get('X-Accel-Redirect')}",
    )
    autre = Browser(nginx)
    autre.login("autre@smoke.example")
    status, headers, body = autre.request(url)
    check(
        status == 404 and "X-Accel-Served" not in headers,
        f"another candidate: {status}",
    )

    step(f"emission of {2 * CANDIDATS + 1} documents, one worker killed mid-batch")
    admin = Browser(nginx)
    admin.login("admin@smoke.example")
    status, headers, _ = admin.request(f"/documents/sessions/{ids['deliberee']}/")
    check(status == 200, f"emission page: {status}")
    status, headers, _ = admin.post(
        f"/documents/sessions/{ids['deliberee']}/emettre/", {}
    )
    check(status == 302, f"emission launch: {status}")
    if not headers.get("Location", "").startswith("/documents/emissions/"):
        _, _, page = admin.request(headers.get("Location", "/"))
        alerts = re.findall(r'class="alert[^"]*"[^>]*>(.*?)<', page.decode(), re.S)
        raise SmokeError(f"emission refused: {[a.strip() for a in alerts]}")
    close_old_connections()
    emission = EmissionSession.objects.get(session_id=ids["deliberee"])

    def worker1_busy() -> bool:
        close_old_connections()
        return (
            DBTaskResult.objects.filter(
                status="RUNNING",
                task_path="evaluations.documents.tasks.emettre_inscription",
                worker_ids__contains=["smoke-1"],
            ).exists()
            and Document.objects.filter(session_id=ids["deliberee"]).count() >= 16
        )

    wait_until("worker 1 running an enrolment's documents", worker1_busy, 120, stack)
    running = list(
        DBTaskResult.objects.filter(
            status="RUNNING", worker_ids__contains=["smoke-1"]
        ).values_list("pk", flat=True)
    )
    stack.kill("worker1")
    step(f"worker 1 killed (SIGKILL) while running task {running}")

    def finished() -> bool:
        close_old_connections()
        emission.refresh_from_db()
        return emission.statut in {"terminee", "echecs"}

    wait_until("the emission to finish", finished, 300, stack)
    check(
        emission.statut == "terminee",
        f"emission ended {emission.statut}: {emission.echecs}",
    )
    documents = Document.objects.filter(session_id=ids["deliberee"])
    check(
        documents.count() == 2 * CANDIDATS + 1,
        f"{documents.count()} documents, {2 * CANDIDATS + 1} expected",
    )
    per_unit: dict[tuple[int | None, str], int] = {}
    for inscription_id, nature in documents.values_list("inscription_id", "nature"):
        per_unit[(inscription_id, nature)] = (
            per_unit.get((inscription_id, nature), 0) + 1
        )
    check(set(per_unit.values()) == {1}, f"a document issued twice: {per_unit}")
    check(
        len(emission.unites) == CANDIDATS + 1, f"units counted: {len(emission.unites)}"
    )
    units = DBTaskResult.objects.filter(
        task_path="evaluations.documents.tasks.emettre_inscription", status="SUCCESSFUL"
    )
    last_workers = {ids_[-1] for ids_ in units.values_list("worker_ids", flat=True)}
    check(
        last_workers == {"smoke-1", "smoke-2"},
        f"workers that finished units: {last_workers}",
    )
    for pk in running:
        result = DBTaskResult.objects.get(pk=pk)
        check(
            result.status == "SUCCESSFUL" and result.worker_ids[-1] == "smoke-2",
            f"the killed worker's task {pk}: {result.status} {result.worker_ids}",
        )
    step(
        f"{documents.count()} documents, each once; units by worker: "
        + ", ".join(
            f"{w}={sum(1 for i in units.values_list('worker_ids', flat=True) if i[-1] == w)}"
            for w in sorted(last_workers)
        )
    )

    step("verification page and issued document through nginx")
    document = (
        documents.filter(nature="parchemin")
        .select_related("inscription__candidat")
        .order_by("pk")
        .first()
    )
    assert document is not None
    assert document.inscription is not None
    status, _, body = anonyme.request(f"/verification/{document.code}/")
    check(status == 200, f"verification page: {status}")
    check(
        f"<code>{document.code_affiche}</code>" in body.decode()
        and document.inscription.candidat.nom_naissance in body.decode(),
        "the verification page lacks the code or the holder",
    )
    status, headers, body = admin.request(f"/documents/{document.pk}/telecharger/")
    check(
        status == 200 and headers.get("X-Accel-Served") == "yes", f"document: {status}"
    )
    check(
        hashlib.sha256(body).hexdigest() == document.sha256,
        "issued PDF's SHA-256 differs",
    )

    step("/sante/ after the kill, and the logs")

    def dead_forgotten() -> bool:
        status, _, body = anonyme.request("/sante/")
        return status == 200 and json.loads(body)["queue"]["workers_alive"] == 1

    wait_until("/sante/ to count one live worker", dead_forgotten, 30, stack)
    status, _, body = anonyme.request("/sante/")
    sante = json.loads(body)
    check(
        (sante["status"], sante["database"], sante["storage"], sante["queue"]["queued"])
        == ("ok", "ok", "ok", 0),
        f"/sante/: {sante}",
    )
    lines = []
    for name in ("web1", "web2"):
        for line in (stack.tmp / "logs" / f"{name}.log").read_text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
    mine = [entry for entry in lines if entry.get("request_id") == request_id]
    check(
        [(e["logger"], e["view"], e["status"]) for e in mine]
        == [("certif.requests", "evaluations:livrable_download", 200)],
        f"Django's log line of the download: {mine}",
    )
    check(
        all("smoke.example" not in json.dumps(entry) for entry in lines),
        "an e-mail address in Django's logs",
    )
    access = [
        json.loads(line)
        for line in (stack.tmp / "logs" / "nginx-access.log").read_text().splitlines()
    ]
    check(
        any(e["request_id"] == request_id and e["status"] == 200 for e in access),
        "nginx's log lacks the download's request id",
    )


@contextmanager
def stack_running(tmp: Path, env: dict[str, str]) -> Iterator[Stack]:
    stack = Stack(tmp, env)
    try:
        for name in ("web1", "web2"):
            stack.start(
                name,
                [
                    str(Path(PYTHON).parent / "gunicorn"),
                    "-c",
                    "deploy/gunicorn.conf.py",
                    "certif.wsgi",
                ],
                GUNICORN_BIND=f"127.0.0.1:{PORTS[name]}",
            )
        for i in (1, 2):
            stack.start(
                f"worker{i}",
                [
                    PYTHON,
                    "manage.py",
                    "db_worker",
                    "--worker-id",
                    f"smoke-{i}",
                    "--interval",
                    "0.2",
                    "--no-startup-delay",
                    "--no-reload",
                ],
            )
        conf = nginx_conf(
            tmp, port=PORTS["nginx"], upstreams=[PORTS["web1"], PORTS["web2"]]
        )
        subprocess.run(
            ["/usr/sbin/nginx", "-t", "-q", "-p", str(tmp), "-c", str(conf)],
            check=True,
        )
        stack.start(
            "nginx",
            ["/usr/sbin/nginx", "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
        )
        probe = Browser(PORTS["nginx"])

        def up() -> bool:
            try:
                status, _, _ = probe.request("/sante/")
            except OSError:
                return False
            return status == 200

        wait_until("the stack to answer /sante/ through nginx", up, 60, stack)
        for name in ("web1", "web2"):
            status, _, _ = Browser(PORTS[name]).request("/sante/")
            check(status == 200, f"{name}: {status}")
        yield stack
    finally:
        stack.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and files"
    )
    options = parser.parse_args()
    if not Path("/usr/sbin/nginx").exists():
        print(
            "[smoke] /usr/sbin/nginx is missing: apt-get install nginx", file=sys.stderr
        )
        return 2
    database_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/certif_smoke"
    )
    if not database_url.startswith("postgres"):
        print("[smoke] DATABASE_URL must point to PostgreSQL", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="certif-smoke-"))
    tmp.chmod(0o755)  # nginx's user goes through it
    for sub in ("logs", "var", "static", "nginx-tmp"):
        (tmp / sub).mkdir()
    private = tmp / "private"
    private.mkdir()
    if os.geteuid() == 0:
        # As in production: the application's files, nginx's group, setgid.
        shutil.chown(private, group="www-data")
        private.chmod(0o2750)
    env = environment(tmp, database_url)
    started = time.monotonic()
    ok = False
    try:
        _database(database_url)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        step("migrate, collectstatic, data")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        ids = make_data()
        from django.db import connections

        connections.close_all()
        with stack_running(tmp, env) as stack:
            step(f"nginx on 127.0.0.1:{PORTS['nginx']}, 2 gunicorn, 2 db_worker")
            journey(stack, ids)
        ok = True
    except Exception as error:
        print(f"[smoke] FAILED: {error}", file=sys.stderr)
        for log in sorted((tmp / "logs").glob("*.log")):
            print(f"--- {log.name} (end)", file=sys.stderr)
            print(
                "\n".join(log.read_text(errors="replace").splitlines()[-15:]),
                file=sys.stderr,
            )
    finally:
        if not options.keep:
            from django.db import connections

            connections.close_all()
            _database(database_url, drop_only=True)
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"[smoke] kept: {tmp} and {database_url}")
    print(
        f"[smoke] {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
