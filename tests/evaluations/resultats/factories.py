"""Helpers of the results tests: publish a session's results through the
services, read a PDF's text with pdftotext."""

import subprocess
import tempfile
from pathlib import Path

from django.test import TestCase

from certif.models import User
from evaluations.documents.models import Document
from evaluations.resultats.models import PublicationResultats
from evaluations.resultats.tasks import publication_launch
from evaluations.sessions.models import Session


def publish_now(session: Session, *, by: User) -> PublicationResultats:
    """« Publier maintenant » (tasks run inline in the tests)."""
    return publication_launch(session=session, prevue_le=None, by=by)


def pdf_text(content: bytes) -> str:
    """The text of a PDF as ``pdftotext -layout`` reads it."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(content)
        result = subprocess.run(  # noqa: S603 - fixed arguments, a local file
            ["/usr/bin/pdftotext", "-layout", str(path), "-"],
            capture_output=True,
            check=True,
        )
    return result.stdout.decode()


def document_text(document: Document) -> str:
    with document.fichier.open("rb") as handle:
        return pdf_text(handle.read())


class PublicationTestCase(TestCase):
    """A test case whose publications send their e-mails: the shared sender sends
    after the commit, which a TestCase only runs when asked."""

    def publish(self, session: Session, *, by: User) -> PublicationResultats:
        with self.captureOnCommitCallbacks(execute=True):
            return publish_now(session, by=by)
