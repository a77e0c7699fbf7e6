"""The XML file of a declaration batch, built from plain values and validated
against the Caisse des Dépôts' schema (lxml). Pure: no database access.

The schema in use is ``schemas/cpf-accrochage-1.1.2.xsd`` (see its README): its
version and path are named here and nowhere else."""

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

from lxml import etree

SCHEMA_VERSION = "1.1.2"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "cpf-accrochage-1.1.2.xsd"
NS = "urn:cdc:cpf:pc5:schema:1.0.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TYPE_CERTIFICATION = "RNCP"
OBTENTION = "PAR_ADMISSION"
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Titulaire:
    """The holder's identity exactly as the file carries it. ``code_insee`` is the
    commune's code in France, the country's (99xxx) abroad; ``code_pays`` (its
    last three digits) and ``libelle_pays`` are set only abroad."""

    nom_naissance: str
    nom_usage: str
    prenom1: str
    prenom2: str
    prenom3: str
    annee_naissance: int
    mois_naissance: int
    jour_naissance: int
    sexe: str
    code_insee: str
    libelle_commune: str
    code_pays: str
    libelle_pays: str


@dataclass(frozen=True)
class Passage:
    """One award (``passageCertification``)."""

    id_technique: str
    date_debut_validite: date
    modalite_acces: str
    date_debut_examen: date | None
    date_fin_examen: date | None
    titulaire: Titulaire

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("date_debut_validite", "date_debut_examen", "date_fin_examen"):
            value = data[name]
            data[name] = value.isoformat() if value is not None else None
        return data

    @property
    def empreinte(self) -> str:
        """SHA-256 of the declared values: a correction changes it."""
        canonical = json.dumps(self.as_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Flux:
    id_flux: str
    horodatage: datetime
    id_client_emetteur: str
    id_client_certificateur: str
    id_contrat: str
    code_certification: str
    passages: Sequence[Passage]
    # ``natureDeposant``: CERTIFICATEUR, or TIERS_CONFIANCE when a trusted third
    # party deposits for the certifier.
    nature_deposant: str = "CERTIFICATEUR"


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _add(
    parent: Any, name: str, value: object | None = None, *, nil: bool = False
) -> Any:
    element = etree.SubElement(parent, _q(name))
    if nil:
        element.set(f"{{{XSI}}}nil", "true")
    elif value is not None:
        element.text = value if isinstance(value, str) else str(value)
    return element


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _passage(parent: Any, passage: Passage) -> None:
    p = _add(parent, "passageCertification")
    _add(p, "idTechnique", passage.id_technique)
    _add(p, "obtentionCertification", OBTENTION)
    _add(p, "donneeCertifiee", _bool(True))
    if passage.date_debut_examen is not None:
        _add(p, "dateDebutExamen", passage.date_debut_examen.isoformat())
    if passage.date_fin_examen is not None:
        _add(p, "dateFinExamen", passage.date_fin_examen.isoformat())
    _add(p, "dateDebutValidite", passage.date_debut_validite.isoformat())
    _add(p, "dateFinValidite", nil=True)
    _add(p, "presenceNiveauLangueEuro", _bool(False))
    _add(p, "presenceNiveauNumeriqueEuro", _bool(False))
    _add(p, "scoring", nil=True)
    _add(p, "mentionValidee", nil=True)
    modalites = _add(p, "modalitesInscription")
    if passage.modalite_acces:
        _add(modalites, "modaliteAcces", passage.modalite_acces)
    else:
        _add(modalites, "modaliteAcces", nil=True)
    t = passage.titulaire
    titulaire = _add(_add(p, "identificationTitulaire"), "titulaire")
    _add(titulaire, "nomNaissance", t.nom_naissance)
    if t.nom_usage:
        _add(titulaire, "nomUsage", t.nom_usage)
    else:
        _add(titulaire, "nomUsage", nil=True)
    _add(titulaire, "prenom1", t.prenom1)
    if t.prenom2:
        _add(titulaire, "prenom2", t.prenom2)
    if t.prenom3:
        _add(titulaire, "prenom3", t.prenom3)
    _add(titulaire, "anneeNaissance", t.annee_naissance)
    _add(titulaire, "moisNaissance", t.mois_naissance)
    _add(titulaire, "jourNaissance", t.jour_naissance)
    _add(titulaire, "sexe", t.sexe)
    commune = _add(_add(titulaire, "codeCommuneNaissance"), "codeInseeNaissance")
    _add(commune, "codeInsee", t.code_insee)
    if t.libelle_commune:
        _add(titulaire, "libelleCommuneNaissance", t.libelle_commune)
    if t.code_pays:
        _add(titulaire, "codePaysNaissance", t.code_pays)
        _add(titulaire, "libellePaysNaissance", t.libelle_pays)


def flux_xml(flux: Flux, *, progress: Callable[[int], None] | None = None) -> bytes:
    """The file, UTF-8 with its declaration. ``progress(n)`` is called every
    ``PROGRESS_EVERY`` holders written, and once at the end."""
    root = etree.Element(_q("flux"), nsmap={"cpf": NS, "xsi": XSI})
    _add(root, "idFlux", flux.id_flux)
    _add(root, "horodatage", flux.horodatage.isoformat(timespec="seconds"))
    emetteur = _add(root, "emetteur")
    _add(emetteur, "idClient", flux.id_client_emetteur)
    certificateur = _add(_add(emetteur, "certificateurs"), "certificateur")
    _add(certificateur, "idClient", flux.id_client_certificateur)
    _add(certificateur, "idContrat", flux.id_contrat)
    certification = _add(_add(certificateur, "certifications"), "certification")
    _add(certification, "type", TYPE_CERTIFICATION)
    _add(certification, "code", flux.code_certification)
    _add(certification, "natureDeposant", flux.nature_deposant)
    passages = _add(certification, "passageCertifications")
    for n, passage in enumerate(flux.passages, start=1):
        _passage(passages, passage)
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    if progress is not None:
        progress(len(flux.passages))
    content: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return content


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def schema_errors(content: bytes) -> list[str]:
    """What the schema refuses in ``content`` (empty: the file is valid), one
    line per error with its line number."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        document = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        return [str(exc)]
    schema = _schema()
    if schema.validate(document):
        return []
    log = cast("Iterable[Any]", schema.error_log)
    return [f"ligne {error.line} : {error.message}" for error in log]
