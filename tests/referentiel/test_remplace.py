"""Publishing version 2 marks version 1 « remplacée »: still valid for its
existing sessions and enrolments, no longer offered for new sessions; the admin
lists of blocs, competencies and criteria show the version."""

from django.test import TestCase
from django.urls import reverse

from certif.roles import Role
from evaluations.sessions.selectors import referentiels_publies
from evaluations.sessions.services import session_open
from referentiel.models import Referentiel
from referentiel.services import referentiel_new_draft, referentiel_publish
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)


class RemplaceTests(TestCase):
    def test_publishing_v2_supersedes_v1(self) -> None:
        v1 = make_referentiel(small_data(blocs=1, criteres=1))
        admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        session = make_session(v1, statut="brouillon")
        make_inscription(make_candidat("c@example.org"), session)
        v2 = referentiel_publish(
            referentiel=referentiel_new_draft(referentiel=v1, version="2")
        )
        v1.refresh_from_db()
        self.assertEqual(
            (v1.statut, v1.get_statut_display(), v2.statut),
            ("remplace", "Remplacé", "publie"),
        )
        self.assertEqual(list(referentiels_publies()), [v2])
        # Its existing session still opens.
        self.assertEqual(session_open(session=session, by=admin).statut, "ouverte")

    def test_admin_lists_show_the_version(self) -> None:
        v1 = make_referentiel(small_data(blocs=1, criteres=1))
        referentiel_publish(
            referentiel=referentiel_new_draft(referentiel=v1, version="2")
        )
        superuser = make_user("root@example.org", Role.ADMINISTRATEUR)
        superuser.is_staff = superuser.is_superuser = True
        superuser.save()
        self.client.force_login(superuser)
        for name in ("bloc", "competence", "critere"):
            with self.subTest(name=name):
                response = self.client.get(
                    reverse(f"admin:referentiel_{name}_changelist")
                )
                self.assertContains(
                    response, '<td class="field-_version">v1 (Remplacé)</td>', count=1
                )
                self.assertContains(
                    response, '<td class="field-_version">v2 (Publié)</td>', count=1
                )
                # Filtered by version.
                self.assertContains(response, "?referentiel__id__exact=")
        self.assertEqual(Referentiel.objects.count(), 2)
