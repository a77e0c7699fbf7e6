"""List the valid documents to re-issue (issued from a version-1 snapshot, before
the certifier, registration and signatory were printed, relevés carrying a leaked
template comment; or printing a country's INSEE code as the place of birth), and
with --reediter re-issue each one with that reason (the holder is told by
e-mail). Safe to run twice: a re-issued document is no longer listed."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from certif.formats import accord
from evaluations.documents.selectors import documents_a_reediter
from evaluations.documents.services import document_reissue


class Command(BaseCommand):
    help = (
        "Liste (et réédite avec --reediter MOTIF) les documents émis avant la "
        "version 2 des instantanés ou qui impriment un code de pays comme lieu "
        "de naissance."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reediter",
            metavar="MOTIF",
            default="",
            help="rééditer chaque document listé avec ce motif",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        motif: str = options["reediter"].strip()
        documents = list(documents_a_reediter())
        for document in documents:
            titulaire = (
                document.inscription.candidat.nom_complet
                if document.inscription
                else "—"
            )
            line = (
                f"{document.session.nom} · {document.get_nature_display()} "
                f"v{document.version} · {titulaire} · {document.code_affiche}"
            )
            if motif:
                try:
                    nouveau = document_reissue(document=document, by=None, motif=motif)
                except ValidationError as exc:
                    line += f" · non réédité : {' '.join(exc.messages)}"
                else:
                    line += f" → v{nouveau.version} {nouveau.code_affiche}"
            self.stdout.write(line)
        self.stdout.write(
            f"{accord(len(documents), 'document', 'documents')} à rééditer."
        )
