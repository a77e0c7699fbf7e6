"""Zones of a PDF document (``{% zone %}``, ``certif.pdf``): laid out and drawn
once per process and thread, replayed in the next documents that show the same
HTML there; laid out again in place where the block's width or inherited style
differs, or where the document is not one page or is tagged. A document drawn with
kept zones is the same page as one laid out in place."""

import io
import subprocess
import threading
from datetime import UTC, datetime

import pypdf
import pytest
import tinyhtml5.inputstream
from django.template import Context, Template

from certif import pdf
from evaluations.demo import _demo_image, _logo, _signature
from evaluations.documents.renderers import Visuels, attestation_pdf, parchemin_pdf
from evaluations.documents.snapshots import DistinctionSnapshot, snapshot_from_json

ZONE = (
    "<p>Enregistrée au répertoire national des certifications professionnelles "
    "sous le numéro RNCP12345 par décision de France compétences du 28 mars 2024, "
    "niveau 6 du cadre national des certifications professionnelles.</p>"
    "<p><strong>Blocs de compétences</strong></p>"
)


@pytest.fixture(autouse=True)
def zones(monkeypatch):
    """A fresh cache of kept zones, and the list of the zones given as empty
    blocks at each layout of a document."""
    monkeypatch.setattr(pdf, "_zones", threading.local())
    laid_out: list[list[int]] = []
    with_zones = pdf._with_zones

    def spy(html, zones, cached):
        laid_out.append(sorted(cached))
        return with_zones(html, zones, cached)

    monkeypatch.setattr(pdf, "_with_zones", spy)
    return laid_out


def _html(before: str, *, style: str = "width: 120mm", after: str = "Après") -> str:
    return (
        '<!doctype html><html lang="fr"><body>'
        f"<p>{before}</p><div style='{style}'>{pdf.ZONE_MARK}</div><p>{after}</p>"
        "</body></html>"
    )


def _in_place(html: str, zones: list[str]) -> bytes:
    """The same document laid out in one piece, without the zones' cache."""
    return pdf.html_to_pdf(html.replace(pdf.ZONE_MARK, pdf.zone_html(zones[0])))


def _pages(document: bytes, tmp_path) -> list[bytes]:
    """Each page as a PNG at 60 dpi (poppler's pdftoppm)."""
    path = tmp_path / "document.pdf"
    path.write_bytes(document)
    for old in tmp_path.glob("page-*.png"):
        old.unlink()
    drawn = subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / "page")],  # noqa: S607
        check=True,
        capture_output=True,
    )
    assert drawn.stderr == b""  # e.g. « ExtGState 'a1' is unknown »
    return [page.read_bytes() for page in sorted(tmp_path.glob("page-*.png"))]


def _text(document: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document))
    return "\n".join(page.extract_text() for page in reader.pages)


def _kept() -> dict:
    return pdf._zones.cache


def test_a_kept_zone_gives_the_page_laid_out_in_place(zones, tmp_path):
    pdf.html_to_pdf(_html("Camille PETIT"), zones=[ZONE])
    assert zones == [[]]
    assert list(_kept()) == [(0, ZONE)]
    # A longer text above moves the zone down by two lines.
    html = _html("Dominique Marie-Hélène " * 12)
    moved = pdf.html_to_pdf(html, zones=[ZONE])
    assert zones == [[], [0]]  # one layout, the zone an empty block
    assert _pages(moved, tmp_path) == _pages(_in_place(html, [ZONE]), tmp_path)
    assert "RNCP12345" in _text(moved)
    assert "Dominique Marie-Hélène" in _text(moved)


def test_a_changed_zone_is_laid_out_and_kept_beside(zones):
    pdf.html_to_pdf(_html("Camille"), zones=[ZONE])
    other = ZONE.replace("RNCP12345", "RNCP67890")
    text = _text(pdf.html_to_pdf(_html("Camille"), zones=[other]))
    assert "RNCP67890" in text
    assert "RNCP12345" not in text
    assert zones == [[], []]
    assert sorted(_kept()) == [(0, ZONE), (0, other)]


@pytest.mark.parametrize(
    "style",
    ["width: 70mm", "width: 120mm; font-size: 14pt", "width: 120mm; color: #900"],
)
def test_a_zone_in_another_block_is_laid_out_again_in_place(zones, tmp_path, style):
    pdf.html_to_pdf(_html("Camille"), zones=[ZONE])
    html = _html("Camille", style=style)
    document = pdf.html_to_pdf(html, zones=[ZONE])
    assert zones == [[], [0], []]
    assert _pages(document, tmp_path) == _pages(_in_place(html, [ZONE]), tmp_path)
    # Kept as laid out there, for the next document of that kind.
    pdf.html_to_pdf(html, zones=[ZONE])
    assert zones[-1] == [0]


def test_a_document_of_several_pages_is_laid_out_with_its_zones_in_place(
    zones, tmp_path
):
    pdf.html_to_pdf(_html("Camille"), zones=[ZONE])
    html = _html("Camille", after="<p>Une ligne.</p>" * 90)
    document = pdf.html_to_pdf(html, zones=[ZONE])
    assert zones == [[], [0], []]
    pages = _pages(document, tmp_path)
    assert len(pages) == 3
    assert pages == _pages(_in_place(html, [ZONE]), tmp_path)


def test_a_zone_split_between_pages_is_not_kept(zones):
    pdf.html_to_pdf(_html("x", after="<p>Une ligne.</p>" * 90), zones=[ZONE])
    assert _kept() == {}


def test_a_zone_with_a_background_is_not_kept(zones):
    painted = '<p style="background: #eee">Fond</p>'
    pdf.html_to_pdf(_html("x"), zones=[painted])
    assert _kept() == {}
    assert "Fond" in _text(pdf.html_to_pdf(_html("y"), zones=[painted]))
    assert zones == [[], []]


@pytest.mark.parametrize(
    "zone",
    [
        "<h1>Titre</h1>",  # a bookmark
        '<p><a href="https://certif.example/">lien</a></p>',
        '<p id="ancre" style="anchor: attr(id)">ancre</p>',
        "<ul><li>un</li></ul>",  # a counter
    ],
)
def test_a_zone_that_the_document_reads_is_not_kept(zones, zone):
    document = pdf.html_to_pdf(_html("x"), zones=[zone])
    assert _kept() == {}
    assert pdf.html_to_pdf(_html("x"), zones=[zone]) == document


def test_the_bookmarks_around_a_kept_zone_stay(zones):
    for _ in range(2):
        document = pdf.html_to_pdf(_html("<h1>Avant</h1>"), zones=[ZONE])
        outline = pypdf.PdfReader(io.BytesIO(document)).outline
        assert [item.title for item in outline if not isinstance(item, list)] == [
            "Avant"
        ]
    assert zones == [[], [0]]


def test_a_tagged_document_is_laid_out_with_its_zones_in_place(zones):
    # Marked content (PDF/UA, PDF/A-a) is built from every box of the page.
    html_class, stylesheet, fonts = pdf._engine()
    for options in (
        {"pdf_tags": True},
        {"pdf_variant": "pdf/ua-1"},
        {"pdf_variant": "pdf/a-3a"},
    ):
        options |= {"stylesheets": [stylesheet], "font_config": fonts}
        pdf._render(lambda text: html_class(string=text), _html("x"), [ZONE], options)
    assert zones == [[], [], []]
    assert not getattr(pdf._zones, "cache", None)


def test_a_zone_drawn_in_a_transparency_group_is_drawn_box_by_box(zones, tmp_path):
    faded = '<p style="opacity: 0.5">Estompé</p>' + ZONE
    pdf.html_to_pdf(_html("x"), zones=[faded])
    html = _html("Dominique " * 30)
    document = pdf.html_to_pdf(html, zones=[faded])
    assert zones == [[], [0]]
    assert _kept()[(0, faded)].drawing.replayable is False
    assert _pages(document, tmp_path) == _pages(_in_place(html, [faded]), tmp_path)
    assert "Estompé" in _text(document)


def _in_place_html(html: str) -> str:
    return html.replace(pdf.ZONE_MARK, pdf.zone_html(ZONE))


def test_each_thread_keeps_its_own_zones(zones):
    pdf.html_to_pdf(_html("x"), zones=[ZONE])
    seen = {}

    def other_thread():
        seen["before"] = getattr(pdf._zones, "cache", None)
        pdf.html_to_pdf(_html("y"), zones=[ZONE])
        seen["after"] = list(pdf._zones.cache)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == {"before": None, "after": [(0, ZONE)]}
    assert zones == [[], []]  # the other thread laid its zone out itself


def test_the_zone_tag_collects_the_zones_of_a_pdf():
    template = Template(
        "{% load pdf_zones %}<p>{{ nom }}</p>{% zone %}<p>{{ x }}</p>{% endzone %}"
    )
    # Rendered for anything else than a PDF: in place.
    assert template.render(Context({"nom": "A", "x": "B"})) == (
        '<p>A</p><div class="doc-zone"><p>B</p></div>'
    )
    collected: list[str] = []
    html = template.render(
        Context({"nom": pdf.ZONE_MARK, "x": "B", pdf.ZONES: collected})
    )
    # Data cannot forge the token: it is escaped.
    assert html == "<p>&lt;certif-zone&gt;</p><certif-zone>"
    assert collected == ["<p>B</p>"]


def test_the_parsers_patterns_are_built_once():
    # tinyhtml5 2.1.0 stored each pattern of chars_until under a key it never
    # reads again: certif.pdf gives it a cache that fills under the key it reads.
    pdf._engine()
    patterns = tinyhtml5.inputstream.characters_until_regex
    text = _text(pdf.html_to_pdf("<p class='a' id=b>Un &amp; deux</p>"))
    assert text.splitlines()[0] == "Un & deux"
    count = len(patterns)
    assert count > 0
    assert all(
        isinstance(characters, str | tuple | frozenset) for characters, _ in patterns
    )
    pdf.html_to_pdf("<p class='a' id=b>Un &amp; deux</p>")
    assert len(patterns) == count


def _snapshot(prenoms: str, nom: str) -> DistinctionSnapshot:
    """A certificate's snapshot as stored (JSON), for the holder ``prenoms nom``."""
    session = {"session": "Session de juin 2026", "acquis_le": "2026-06-30"}
    return snapshot_from_json(
        DistinctionSnapshot,
        {
            "titulaire": {
                "prenoms": prenoms,
                "nom_naissance": nom,
                "nom_usage": "",
                "date_naissance": "1996-04-12",
                "lieu_naissance": "Nantes (44)",
                "sexe": "F",
            },
            "certification": {
                "code": "RNCP12345",
                "intitule": "Responsable du développement commercial",
                "niveau": 6,
                "version": "1",
                "niveau_libelle": "niveau 6 du cadre national des certifications "
                "professionnelles, équivalent au niveau 6 du cadre européen des "
                "certifications",
                "nsf": "312p",
                "date_enregistrement": "2024-03-28",
                "date_fin_enregistrement": "2029-03-28",
            },
            "session": session["session"],
            "date_decision": session["acquis_le"],
            "blocs": [
                {"code": f"A{i}", "intitule": f"Bloc {i}", "capitalise": False}
                | {"code_rncp": f"RNCP12345BC0{i}"}
                | session
                for i in range(1, 4)
            ],
            "certificateur": {
                "raison_sociale": "Institut Exemple",
                "siret": "73282932000074",
                "adresse": "12 rue des Écoles\n69002 Lyon",
                "ville": "Lyon",
                "signataire_nom": "Claire Martin",
                "signataire_qualite": "Directrice générale",
                "recours": "Recours écrit sous deux mois.",
            },
        },
    )


@pytest.mark.parametrize("renderer", [parchemin_pdf, attestation_pdf])
def test_an_award_with_kept_zones_is_the_one_laid_out_in_place(
    zones, tmp_path, renderer
):
    # The certifier's logo and signature: images drawn by the kept zones.
    visuels = Visuels(_demo_image(120, 60, _logo), _demo_image(180, 80, _signature))

    def award(snapshot: DistinctionSnapshot) -> bytes:
        return renderer(
            snapshot,
            code="ABCDEFGHIJKLMNOP",
            url="https://certif.example/verification/ABCDEFGHIJKLMNOP/",
            emis_le=datetime(2026, 7, 1, tzinfo=UTC),
            visuels=visuels,
        ).content

    award(_snapshot("Camille", "PETIT"))
    assert zones == [[]]
    # A holder's name on two lines moves every zone below it.
    long_name = _snapshot(
        "Marie-Hélène Anne-Sophie Dominique", "DE LA ROCHEFOUCAULD-MONTBRUN"
    )
    kept = award(long_name)
    assert zones == [[], [0, 1, 2, 3, 4]]
    # Each zone replayed from its recorded operators, none drawn box by box.
    assert [zone.drawing.replayable for zone in _kept().values()] == [True] * 5
    pdf._zones.cache.clear()
    in_place = award(long_name)
    assert zones[-1] == []
    assert _pages(kept, tmp_path) == _pages(in_place, tmp_path)
    assert _text(kept) == _text(in_place)
    # The logo, the signature, the QR code.
    assert kept.count(b"/Subtype /Image") == in_place.count(b"/Subtype /Image") == 3
