"""Benchmark of the timetable generator (never run by the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/certif_bench_timetable \\
    .venv/bin/python bench/timetable.py [CANDIDATES] [ROOMS] [MEMBERS]

Re-creates that PostgreSQL database with a référentiel of two blocs, each with one
live modality of 30 minutes; enrols CANDIDATES (default 1,000) on both, so that
each has 2 sittings to place; composes a jury of MEMBERS (default 20) and gives
each candidate two evaluators; declares ROOMS rooms (default 10). Then runs the
generator as the worker does (``generation_run``: read what is missing, place,
write the sittings in batches) over 30 days of 9:00-17:30 with a lunch break and
10 minutes between sittings, and checks that no member, candidate or room is in
two sittings at once. Prints, in the same run: the baseline (writing the same
number of sittings with ``bulk_create``, no planning), the pure placement, and the
whole generation. Target: the whole generation under 10 s on 2 cores.
"""

import io
import os
import sys
import time
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certif.settings.base")

import django  # noqa: E402 - after the environment is set


def _recreate_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    base, name = url.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def _referentiel() -> dict:
    return {
        "certification": {"code": "RNCP99998", "intitule": "Bench", "niveau": 5},
        "version": "1",
        "dispositions": [],
        "blocs": [
            {
                "code": f"B{b}",
                "intitule": f"Bloc {b}",
                "activites": [
                    {
                        "code": f"A{b}.1",
                        "intitule": f"Activité {b}",
                        "competences": [
                            {
                                "code": f"C{b}.1",
                                "intitule": f"Compétence {b}",
                                "details": "",
                                "modalite": {
                                    "type": "mise_en_situation",
                                    "intitule": "Mise en situation professionnelle",
                                    "description": "Présenter.",
                                    "description_capitalisation": "Dossier.",
                                    "epreuve": {
                                        "duree_minutes": 30,
                                        "apres_depot": False,
                                    },
                                },
                                "criteres": [
                                    {"code": f"C{b}.1.1", "intitule": "Critère."}
                                ],
                            }
                        ],
                    }
                ],
            }
            for b in (1, 2)
        ],
    }


def main() -> None:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    candidates = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rooms = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    members = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL=postgres://…/certif_bench_timetable is required")
    _recreate_database(url)
    os.environ["LOG_LEVEL"] = "WARNING"
    django.setup()
    from datetime import date

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from certif.models import User
    from certif.roles import Role
    from certif.services import roles_setup, user_ensure
    from evaluations.epreuves.generation import (
        ParametresGeneration,
        generation_request,
        generation_run,
    )
    from evaluations.epreuves.models import Passage, Planning, Salle, Site
    from evaluations.epreuves.planner import APlacer, Journee, Planificateur, SalleLibre
    from evaluations.epreuves.selectors import passages_a_faire
    from evaluations.jury.models import Affectation, MembreJury
    from evaluations.sessions.models import Candidat, Inscription, Session
    from referentiel.services import referentiel_load

    call_command("migrate", verbosity=0)
    roles_setup()
    referentiel = referentiel_load(data=_referentiel(), publish=True).referentiel
    admin, _created = user_ensure(
        email="admin@bench.fr",
        first_name="A",
        last_name="B",
        roles=[Role.ADMINISTRATEUR],
    )
    today = timezone.localdate()
    session = Session.objects.create(
        referentiel=referentiel,
        nom="Session bench",
        date_ouverture=today,
        date_limite_depot=timezone.now() + timedelta(days=1),
        date_jury=today + timedelta(days=60),
        statut=Session.Statut.OUVERTE,
    )
    users = User.objects.bulk_create(
        User(email=f"c{i}@bench.fr", first_name="C", last_name=str(i))
        for i in range(candidates)
    )
    candidats = Candidat.objects.bulk_create(
        Candidat(
            user=u,
            nom_naissance=f"NOM{i:05d}",
            prenom1="Prénom",
            date_naissance=date(1990, 1, 1),
            sexe="F",
            commune_naissance="Paris",
            code_insee_naissance="75056",
        )
        for i, u in enumerate(users)
    )
    inscriptions = Inscription.objects.bulk_create(
        Inscription(
            candidat=c, session=session, voie_acces="vae", **Inscription.tri_of(c)
        )
        for c in candidats
    )
    blocs = list(referentiel.blocs.all())
    Inscription.blocs.through.objects.bulk_create(
        Inscription.blocs.through(inscription_id=i.pk, bloc_id=b.pk)
        for i in inscriptions
        for b in blocs
    )
    jury_users = User.objects.bulk_create(
        User(email=f"m{i}@bench.fr", first_name="M", last_name=str(i))
        for i in range(members)
    )
    membres = MembreJury.objects.bulk_create(
        MembreJury(session=session, user=u) for u in jury_users
    )
    pairs = max(1, members // 2)
    Affectation.objects.bulk_create(
        Affectation(membre=membres[(k % pairs) * 2 + j], inscription=i)
        for k, i in enumerate(inscriptions)
        for j in (0, 1)
        if (k % pairs) * 2 + j < members
    )
    site = Site.objects.create(nom="Bench", adresse="1 rue")
    salles = Salle.objects.bulk_create(
        Salle(site=site, nom=f"S{r:02d}", capacite=5) for r in range(rooms)
    )
    jours = [today + timedelta(days=2 + d) for d in range(30)]
    parametres = ParametresGeneration(
        jours=jours,
        debut=dtime(9),
        fin=dtime(17, 30),
        pause_debut=dtime(12, 30),
        pause_fin=dtime(13, 30),
        intervalle=10,
        salles=[s.pk for s in salles],
    )
    print(
        f"{candidates} candidates x 2 live modalities, {rooms} rooms, {members} members"
    )

    # Baseline: the same number of sittings written without any planning.
    start = time.perf_counter()
    with transaction.atomic():
        debut = timezone.now() + timedelta(days=3)
        rows = Passage.objects.bulk_create(
            Passage(
                session=session,
                inscription=i,
                debut=debut,
                duree_minutes=30,
                fin=debut + timedelta(minutes=30),
                salle=salles[0],
            )
            for i in inscriptions
            for _b in blocs
        )
        transaction.set_rollback(True)
    baseline = time.perf_counter() - start
    print(
        f"baseline: bulk_create of {len(rows)} sittings, no planning: {baseline:.2f} s"
    )

    # The pure placement alone.
    a_faire = passages_a_faire(session=session)
    planner = Planificateur(
        jours=jours,
        journee=Journee(dtime(9), dtime(17, 30), dtime(12, 30), dtime(13, 30)),
        salles=[SalleLibre(s.pk, s.accessible_pmr) for s in salles],
        tz=timezone.get_current_timezone(),
        intervalle=10,
    )
    start = time.perf_counter()
    result = planner.placer(
        APlacer(cle=k, candidat=a.inscription_id, membres=a.membres, duree=30)
        for k, a in enumerate(a_faire)
    )
    print(
        f"placement only: {len(result.places)} placed, {len(result.non_places)} not, "
        f"{time.perf_counter() - start:.2f} s"
    )

    start = time.perf_counter()
    planning = generation_request(session=session, parametres=parametres, by=admin)
    planning = generation_run(planning_id=planning.pk, by=admin)
    total = time.perf_counter() - start
    placed = Passage.objects.filter(session=session).count()
    print(
        f"generation (read, place, write): {placed} placed, "
        f"{len(planning.non_places)} not placed, {total:.2f} s"
    )
    # No clash, checked in SQL.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM evaluations_passage a
            JOIN evaluations_passage b ON a.id < b.id
              AND a.debut < b.fin AND b.debut < a.fin
            WHERE a.salle_id = b.salle_id OR a.inscription_id = b.inscription_id
              OR EXISTS (
                SELECT 1 FROM evaluations_passage_membres ma
                JOIN evaluations_passage_membres mb ON ma.membrejury_id = mb.membrejury_id
                WHERE ma.passage_id = a.id AND mb.passage_id = b.id)
            """
        )
        clashes = cursor.fetchone()[0]
    days = Passage.objects.filter(session=session).dates("debut", "day").count()
    print(
        f"clashes: {clashes}; days used: {days}; planning {Planning.objects.get().generation}"
    )


if __name__ == "__main__":
    main()
