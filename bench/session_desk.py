"""Server time and query count of the session desk with 1,000 candidates.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/certif_bench \\
        .venv/bin/python bench/session_desk.py [--candidats 1000] [--requests 200] [--refill]

1. Fills the PostgreSQL database (created if missing, migrated; filled once and
   reused on the next runs unless --refill): the seed référentiel, one open session
   with N candidates enrolled on the whole certification (accounts, identities,
   enrolments, their 5 blocs), and upload rows (bulk_create, no file on disk):
   candidate i has a current file for i mod 19 of the 18 modalities (so every
   progress state occurs), every tenth one a replaced version 1, every seventh a
   withdrawn file.
2. Measures in-process with Django's test client, logged in as an administrator,
   the server time of R requests (after 10 warm-up requests) of: the desk's first
   page, the desk filtered on « incomplet » with a search, the last page, and a bare
   Django view (``HttpResponse("ok")`` behind the same middleware) as the baseline of
   the same run. Prints p50/p95/max in milliseconds and the SQL query count of each.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.test import Client
    from django.urls import URLPattern, URLResolver

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/certif_bench"
os.environ.update(
    {
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB),
        "SECRET_KEY": "bench-only-secret-key",
        "DEBUG": "false",
        # Pages render without collectstatic (no manifest of hashed names).
        "STATIC_MANIFEST": "false",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "certif.settings.base",
    }
)

SESSION_NOM = "Bench — bureau de session"
ADMIN_EMAIL = "admin@bench.localhost"


# This module is the URLconf of the measure (filled once Django is set up).
urlpatterns: list["URLPattern | URLResolver"] = []


def bare_view(request: "HttpRequest") -> "HttpResponse":
    from django.http import HttpResponse

    return HttpResponse("ok")


def fill(candidats: int) -> int:
    """Create the session and its rows; return the session's pk."""
    import json
    from datetime import date, timedelta

    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from certif.models import User
    from certif.roles import Role
    from certif.services import roles_setup, user_ensure
    from evaluations.livrables.models import Livrable
    from evaluations.sessions.models import Candidat, Inscription, Session
    from referentiel.models import Modalite, Referentiel
    from referentiel.services import referentiel_load

    roles_setup()
    user_ensure(
        email=ADMIN_EMAIL,
        first_name="Bench",
        last_name="Admin",
        roles=[Role.ADMINISTRATEUR],
        password="bench-mot-de-passe",
    )
    with open(ROOT / "fixtures" / "referentiel.json", encoding="utf-8") as handle:
        referentiel_load(data=json.load(handle), publish=True)
    referentiel = Referentiel.objects.filter(
        certification__code="RNCP00000", statut="publie"
    ).latest("cree_le")
    with transaction.atomic():
        old = Session.objects.filter(nom=SESSION_NOM).first()
        if old is not None:
            a_supprimer = Inscription.objects.filter(session=old)
            livrables = Livrable.objects.filter(inscription__in=a_supprimer)
            livrables.filter(remplace__isnull=False).delete()  # versions first
            livrables.delete()
            candidat_ids = list(a_supprimer.values_list("candidat_id", flat=True))
            user_ids = list(
                Candidat.objects.filter(pk__in=candidat_ids).values_list(
                    "user_id", flat=True
                )
            )
            Inscription.blocs.through.objects.filter(
                inscription__in=a_supprimer
            ).delete()
            a_supprimer.delete()
            Candidat.objects.filter(pk__in=candidat_ids).delete()
            User.objects.filter(pk__in=user_ids).delete()
            old.delete()
        today = timezone.localdate()
        session = Session.objects.create(
            referentiel=referentiel,
            nom=SESSION_NOM,
            date_ouverture=today - timedelta(days=10),
            date_limite_depot=timezone.now() + timedelta(days=30),
            date_jury=today + timedelta(days=60),
            statut=Session.Statut.OUVERTE,
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench{i:05d}@bench.localhost",
                    first_name="Prénom",
                    last_name=f"Nom{i:05d}",
                    password="!unusable",
                )
                for i in range(candidats)
            ],
            batch_size=1000,
        )
        groupe = Group.objects.get(name=Role.CANDIDAT.value)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=groupe.pk) for u in users],
            batch_size=1000,
        )
        voies = ["formation_continue", "vae", "apprentissage", "candidat_libre"]
        fiches = Candidat.objects.bulk_create(
            [
                Candidat(
                    user=user,
                    nom_naissance=f"NOM{i:05d}",
                    prenom1="Prénom",
                    date_naissance=date(1990, 1, 1) + timedelta(days=i),
                    sexe="F" if i % 2 else "M",
                    commune_naissance="Paris",
                    code_insee_naissance="75056",
                )
                for i, user in enumerate(users)
            ],
            batch_size=1000,
        )
        inscriptions = Inscription.objects.bulk_create(
            [
                Inscription(
                    candidat=fiche,
                    session=session,
                    voie_acces=voies[i % len(voies)],
                    parcours="complet",
                    **Inscription.tri_of(fiche),
                )
                for i, fiche in enumerate(fiches)
            ],
            batch_size=1000,
        )
        blocs = list(referentiel.blocs.all())
        Inscription.blocs.through.objects.bulk_create(
            [
                Inscription.blocs.through(inscription_id=ins.pk, bloc_id=bloc.pk)
                for ins in inscriptions
                for bloc in blocs
            ],
            batch_size=5000,
        )
        modalites = list(
            Modalite.objects.filter(competence__referentiel=referentiel).order_by(
                "competence__activite__bloc__ordre", "competence__ordre"
            )
        )
        now = timezone.now()

        def row(
            ins: Inscription, user: User, modalite: Modalite, **extra: Any
        ) -> Livrable:
            return Livrable(
                inscription=ins,
                modalite=modalite,
                fichier=f"livrables/{ins.pk}/bench.pdf",
                nom_original="dossier.pdf",
                taille=1234,
                sha256="0" * 64,
                type_mime="application/pdf",
                depose_par=user,
                **extra,
            )

        anciennes = []
        for i, (ins, user) in enumerate(zip(inscriptions, users, strict=True)):
            if i % 10 == 0:
                anciennes.append(row(ins, user, modalites[0]))
        Livrable.objects.bulk_create(anciennes, batch_size=2000)
        remplacees = {livrable.inscription_id: livrable for livrable in anciennes}
        courants = []
        for i, (ins, user) in enumerate(zip(inscriptions, users, strict=True)):
            for k, modalite in enumerate(modalites[: i % 19]):
                previous = remplacees.get(ins.pk) if k == 0 else None
                courants.append(
                    row(
                        ins,
                        user,
                        modalite,
                        version=2 if previous else 1,
                        remplace=previous,
                    )
                )
            if i % 7 == 0:
                courants.append(row(ins, user, modalites[-1], retire_le=now))
        Livrable.objects.bulk_create(courants, batch_size=2000)
    return session.pk


def measure(client: "Client", url: str, requests: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(10):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    # Read now: the next request's request_started signal resets the log.
    queries = len(context.captured_queries)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidats", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()

    from pg import ensure_database  # the benchmarks' folder, first on the path

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path, reverse

    from certif.models import User
    from evaluations.livrables.models import Livrable
    from evaluations.sessions.models import Inscription, Session

    call_command("migrate", verbosity=0)
    session = Session.objects.filter(nom=SESSION_NOM).first()
    if args.refill or session is None or session.inscriptions.count() != args.candidats:
        start = time.perf_counter()
        pk = fill(args.candidats)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would, before measuring
        print(f"Remplissage : {time.perf_counter() - start:.1f} s")
    else:
        pk = session.pk
    inscriptions = Inscription.objects.filter(session_id=pk).count()
    livrables = Livrable.objects.filter(inscription__session_id=pk).count()
    print(f"Session {pk} : {inscriptions} inscriptions, {livrables} livrables")

    urlpatterns.extend(
        [path("bench-bare/", bare_view), path("", include("certif.urls"))]
    )
    with override_settings(ROOT_URLCONF=__name__):
        client = Client()
        client.force_login(User.objects.get(email=ADMIN_EMAIL))
        desk = reverse("evaluations:session_detail", args=[pk])
        pages = (inscriptions + 49) // 50
        cases = [
            ("vue Django nue (référence)", "/bench-bare/"),
            ("bureau de session, page 1", desk),
            (
                "bureau, filtre incomplet + recherche",
                desk + "?progression=incomplet&q=nom0",
            ),
            ("bureau, filtre incomplet", desk + "?progression=incomplet"),
            ("bureau, filtre aucun dépôt", desk + "?progression=aucun"),
            (f"bureau, dernière page ({pages})", desk + f"?page={pages}"),
        ]
        print(f"{args.requests} requêtes par cas, temps serveur en ms (client de test)")
        print(f"{'cas':42} {'p50':>7} {'p95':>7} {'max':>7} {'requêtes SQL':>13}")
        for label, url in cases:
            times, queries = measure(client, url, args.requests)
            p95 = statistics.quantiles(times, n=20)[18]
            print(
                f"{label:42} {statistics.median(times):7.1f} {p95:7.1f} "
                f"{max(times):7.1f} {queries:13d}"
            )


if __name__ == "__main__":
    main()
