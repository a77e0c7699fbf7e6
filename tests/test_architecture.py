"""The direction of imports between the apps and the areas of ``evaluations``.

Areas, lowest first: certif < referentiel < evaluations.sessions < evaluations.jury
< evaluations.livrables < handicap < evaluations.notation < evaluations.deliberation
< evaluations.epreuves < evaluations.documents < evaluations.resultats < evaluations.recours
< evaluations.declarations
< evaluations.statistiques
< the root modules of ``evaluations`` (``models``, ``urls``, ``admin``, ``demo``, ``home``…).
A module imports from its own area or lower ones.
The one exception, above referentiel: a ``services`` or ``selectors`` module may read a higher area's
``models`` (models are the shared vocabulary), never its services, selectors, forms
or views. A ``models`` module imports only models of its own area or lower ones, and
the value helpers in ``LEAVES`` (validators and reference lists that import nothing
of the project, so that they can never close a cycle).
Code imports a model from its area's ``models``; the aggregator ``evaluations.models``
exists for Django and is imported only by the root modules of ``evaluations``.
No two modules may import each other, directly or through others.

Every ``import`` statement counts, at module level or inside a function: a late
import hides a dependency from the reader, not from the architecture. Migrations are
left out (Django writes them against the historical models).
"""

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

APPS = ("certif", "referentiel", "evaluations", "handicap")
ROOT = "evaluations"
AREAS = (
    "certif",
    "referentiel",
    "evaluations.sessions",
    "evaluations.jury",
    "evaluations.livrables",
    "handicap",
    "evaluations.notation",
    "evaluations.deliberation",
    "evaluations.epreuves",
    "evaluations.documents",
    "evaluations.resultats",
    "evaluations.recours",
    "evaluations.declarations",
    "evaluations.statistiques",
    ROOT,
)
RANK = {area: rank for rank, area in enumerate(AREAS)}
AGGREGATOR = "evaluations.models"
READERS = {"services", "selectors"}
# Pure value helpers that a models module may use for its fields' validators and
# display: each imports nothing of the project (checked below).
LEAVES = {"certif.validators", "evaluations.sessions.pays"}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int


def area_of(module: str) -> str:
    """The area a dotted module name belongs to: the longest area that prefixes it
    (``evaluations.urls`` → the root area ``evaluations``)."""
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        candidate = ".".join(parts[:size])
        if candidate in RANK:
            return candidate
    raise ValueError(f"{module} belongs to no area")


def kind_of(module: str) -> str:
    """The layer of a module: the last part of its name (``models``, ``services``…)."""
    return module.rpartition(".")[2]


def project_modules(base: Path) -> dict[str, tuple[Path, str]]:
    """Every module of the four apps, migrations left out: dotted name → (file,
    package used to resolve its relative imports)."""
    modules: dict[str, tuple[Path, str]] = {}
    for app in APPS:
        for path in sorted((base / app).rglob("*.py")):
            parts = list(path.relative_to(base).with_suffix("").parts)
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts.pop()
                package = ".".join(parts)
            else:
                package = ".".join(parts[:-1])
            modules[".".join(parts)] = (path, package)
    return modules


def imports_in(
    source: str, *, module: str, package: str, known: set[str]
) -> list[Import]:
    """The project modules that ``source`` imports, wherever the statement sits.
    ``from a.b import c`` counts as an import of ``a.b.c`` when that is a module,
    of ``a.b`` otherwise; names outside the project are left out."""

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        targets: list[str | None] = []
        if isinstance(node, ast.Import):
            targets = [resolve(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                targets.append(submodule if submodule in known else resolve(origin))
        found.extend(
            Import(module, target, node.lineno)  # type: ignore[attr-defined]
            for target in targets
            if target is not None and target != module
        )
    return found


def project_imports(base: Path) -> list[Import]:
    modules = project_modules(base)
    known = set(modules)
    found: list[Import] = []
    for module, (path, package) in modules.items():
        found.extend(
            imports_in(
                path.read_text(encoding="utf-8"),
                module=module,
                package=package,
                known=known,
            )
        )
    return found


def rule_broken(importer: str, imported: str) -> str | None:
    """The rule that ``importer`` breaks by importing ``imported``, or None."""
    source, target = area_of(importer), area_of(imported)
    if imported == AGGREGATOR and source != ROOT:
        return (
            f"{AGGREGATOR} aggregates the models for Django only: import the model "
            "from its area's models module"
        )
    if kind_of(importer) == "models":
        if RANK[target] > RANK[source] or (
            kind_of(imported) != "models" and imported not in LEAVES
        ):
            return "a models module imports only models of its own area or lower ones"
        return None
    if RANK[target] <= RANK[source]:
        return None
    # The two lowest apps know nothing above them, not even models.
    if source == "certif":
        return "certif imports nothing from referentiel, evaluations or handicap"
    if source == "referentiel":
        return "referentiel imports nothing from evaluations or handicap"
    if kind_of(importer) in READERS and kind_of(imported) == "models":
        return None
    return (
        f"{source} may not import the higher area {target} (only a services or "
        "selectors module may read a higher area's models)"
    )


def violations(imports: list[Import]) -> list[str]:
    messages = []
    for imp in imports:
        rule = rule_broken(imp.importer, imp.imported)
        if rule is not None:
            messages.append(
                f"{imp.importer} (line {imp.line}) imports {imp.imported}: {rule}"
            )
    return sorted(set(messages))


def cycles(imports: list[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's
    algorithm, iterative so that a deep graph cannot hit the recursion limit)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.importer, set()).add(imp.imported)
        graph.setdefault(imp.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def shortest_loop(imports: list[Import], component: list[str]) -> list[str]:
    """The shortest import path from the first module of ``component`` back to
    itself: names a cycle concretely when the component is large."""
    members = set(component)
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.importer in members and imp.imported in members:
            graph.setdefault(imp.importer, set()).add(imp.imported)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for successor in sorted(graph.get(node, set())):
            if successor == start:
                return [*paths[node], start]
            if successor not in paths:
                paths[successor] = [*paths[node], successor]
                queue.append(successor)
    raise ValueError(f"{component} is no cycle")


class ImportDirectionTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.imports = project_imports(Path(settings.BASE_DIR))

    def test_the_parser_sees_the_tree(self) -> None:
        # Guards the other tests against passing on an empty graph.
        edges = {(imp.importer, imp.imported) for imp in self.imports}
        self.assertIn(("evaluations.models", "evaluations.jury.models"), edges)
        self.assertIn(("handicap.services", "handicap.models"), edges)

    def test_every_import_follows_the_direction(self) -> None:
        found = violations(self.imports)
        if found:
            self.fail("Imports against the direction:\n" + "\n".join(found))

    def test_leaves_import_nothing_of_the_project(self) -> None:
        found = sorted(
            f"{imp.importer} imports {imp.imported}"
            for imp in self.imports
            if imp.importer in LEAVES
        )
        self.assertEqual(found, [])

    def test_no_import_cycle(self) -> None:
        found = cycles(self.imports)
        if found:
            self.fail(
                "Import cycles (the modules of each, then its shortest loop):\n"
                + "\n".join(
                    f"{', '.join(c)}\n  {' -> '.join(shortest_loop(self.imports, c))}"
                    for c in found
                )
            )


class RulesTests(SimpleTestCase):
    """The checker itself, on made-up imports: each rule fails when broken."""

    def check(self, importer: str, imported: str) -> str | None:
        return rule_broken(importer, imported)

    def test_area_of(self) -> None:
        self.assertEqual(area_of("certif.settings.base"), "certif")
        self.assertEqual(area_of("evaluations.jury.services"), "evaluations.jury")
        self.assertEqual(area_of("evaluations.urls"), "evaluations")
        self.assertEqual(area_of("evaluations.management.commands.x"), "evaluations")
        self.assertEqual(area_of("handicap.management.commands.x"), "handicap")

    def test_lower_and_same_area_are_allowed(self) -> None:
        self.assertIsNone(self.check("evaluations.jury.views", "certif.roles"))
        self.assertIsNone(
            self.check("evaluations.jury.views", "evaluations.jury.services")
        )
        self.assertIsNone(
            self.check("evaluations.notation.views", "handicap.selectors")
        )
        self.assertIsNone(self.check("evaluations.urls", "evaluations.jury.urls"))

    def test_certif_imports_no_other_app(self) -> None:
        for imported in ("referentiel.models", "evaluations.sessions.models"):
            self.assertEqual(
                self.check("certif.services", imported),
                "certif imports nothing from referentiel, evaluations or handicap",
            )
        self.assertEqual(
            self.check("certif.views", "handicap.selectors"),
            "certif imports nothing from referentiel, evaluations or handicap",
        )

    def test_referentiel_imports_neither_evaluations_nor_handicap(self) -> None:
        self.assertEqual(
            self.check("referentiel.views", "handicap.selectors"),
            "referentiel imports nothing from evaluations or handicap",
        )

    def test_higher_area_is_refused(self) -> None:
        self.assertEqual(
            self.check("evaluations.jury.views", "evaluations.deliberation.models"),
            "evaluations.jury may not import the higher area evaluations.deliberation"
            " (only a services or selectors module may read a higher area's models)",
        )
        self.assertEqual(
            self.check("handicap.services", "evaluations.notation.selectors"),
            "handicap may not import the higher area evaluations.notation"
            " (only a services or selectors module may read a higher area's models)",
        )
        self.assertEqual(
            self.check("evaluations.jury.services", "evaluations.demo"),
            "evaluations.jury may not import the higher area evaluations"
            " (only a services or selectors module may read a higher area's models)",
        )

    def test_services_and_selectors_read_higher_models(self) -> None:
        self.assertIsNone(
            self.check("evaluations.jury.services", "evaluations.deliberation.models")
        )
        self.assertIsNone(
            self.check("handicap.selectors", "evaluations.notation.models")
        )
        self.assertIsNotNone(
            self.check("evaluations.jury.forms", "evaluations.notation.models")
        )

    def test_models_import_only_lower_models(self) -> None:
        rule = "a models module imports only models of its own area or lower ones"
        self.assertEqual(
            self.check("evaluations.jury.models", "evaluations.notation.models"), rule
        )
        self.assertEqual(
            self.check("evaluations.jury.models", "evaluations.sessions.verrou"), rule
        )
        self.assertIsNone(
            self.check("evaluations.jury.models", "evaluations.sessions.models")
        )
        self.assertIsNone(
            self.check("evaluations.sessions.models", "evaluations.sessions.pays")
        )
        self.assertIsNone(
            self.check("evaluations.sessions.models", "certif.validators")
        )
        self.assertEqual(
            self.check("evaluations.sessions.models", "evaluations.sessions.services"),
            rule,
        )

    def test_aggregator_is_for_the_root_only(self) -> None:
        rule = (
            "evaluations.models aggregates the models for Django only: import the "
            "model from its area's models module"
        )
        self.assertEqual(self.check("evaluations.jury.services", AGGREGATOR), rule)
        self.assertEqual(self.check("handicap.models", AGGREGATOR), rule)
        self.assertIsNone(self.check("evaluations.admin", AGGREGATOR))

    def test_imports_in_resolves_every_form(self) -> None:
        known = {
            "evaluations",
            "evaluations.models",
            "evaluations.jury",
            "evaluations.jury.models",
            "evaluations.jury.services",
            "evaluations.sessions.models",
            "certif.roles",
        }
        source = (
            "import certif.roles\n"
            "from evaluations.sessions.models import Session\n"
            "from . import models\n"
            "from .models import MembreJury\n"
            "from ..sessions import models as s\n"
            "import django\n"
            "def late():\n"
            "    from evaluations import models\n"
        )
        found = imports_in(
            source,
            module="evaluations.jury.services",
            package="evaluations.jury",
            known=known,
        )
        self.assertEqual(
            [(imp.imported, imp.line) for imp in found],
            [
                ("certif.roles", 1),
                ("evaluations.sessions.models", 2),
                ("evaluations.jury.models", 3),
                ("evaluations.jury.models", 4),
                ("evaluations.sessions.models", 5),
                ("evaluations.models", 8),
            ],
        )

    def test_a_bad_import_is_reported_with_its_module_and_line(self) -> None:
        imports = [Import("evaluations.sessions.views", AGGREGATOR, 12)]
        self.assertEqual(
            violations(imports),
            [
                "evaluations.sessions.views (line 12) imports evaluations.models: "
                "evaluations.models aggregates the models for Django only: import "
                "the model from its area's models module"
            ],
        )

    def test_cycles(self) -> None:
        imports = [
            Import("a", "b", 1),
            Import("b", "c", 1),
            Import("c", "a", 1),
            Import("c", "d", 1),
            Import("d", "e", 1),
            Import("e", "d", 1),
            Import("f", "a", 1),
        ]
        self.assertEqual(cycles(imports), [["a", "b", "c"], ["d", "e"]])
        self.assertEqual(shortest_loop(imports, ["a", "b", "c"]), ["a", "b", "c", "a"])
        self.assertEqual(cycles(imports[:2]), [])
