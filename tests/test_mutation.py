"""Mutation testing of the reference mock (scripts/mutation.py): the rules that explain survivors,
on diffs written here; and a seeded sample of real mutants, each run through the whole suite
in-process, every survivor of which is either explained by a rule or written down in
docs/mutation.md (by the line it changes: mutmut numbers mutants anew when a function changes). The full run is `python scripts/mutation.py` (figures in docs/mutation.md).
"""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SIZE = 12  # ~3 s a mutant on 2 workers, plus the clean run and mutmut's rewrite: about 1.5 minutes
SAMPLE_SEED = 18


def load_mutation_script():
    spec = importlib.util.spec_from_file_location("mutation", ROOT / "scripts" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


mutation = load_mutation_script()


def diff(removed, added):
    return f"--- \n+++ \n@@ -1 +1 @@\n-{removed}\n+{added}\n"


@pytest.mark.parametrize("removed, added, rule", [
    ('    if "soft-delete" in self.faults:', '    if "XXsoft-deleteXX" in self.faults:', "fault switch"),
    ('    if "gzip" in self.variants:', '    if "gzip" not in self.variants:', "variant switch"),
    ('    app_token = request.headers.get("x-app-token")', '    app_token = request.headers.get("X-APP-TOKEN")', "case of a name"),
    ('    given = app_id.encode("latin-1")', '    given = app_id.encode("LATIN-1")', "case of a name"),
    ('    return self._error(404, "not_found", "Resource not found", details)',
     '    return self._error(404, "not_found", "XXResource not foundXX", details)', "Error text"),
])
def test_a_rule_explains_a_survivor_that_changes_nothing_the_contract_says(removed, added, rule):
    assert mutation.classify(diff(removed, added))[0] == rule


@pytest.mark.parametrize("removed, added", [
    ('    return self._error(404, "not_found", "Resource not found", details)',
     '    return self._error(400, "not_found", "Resource not found", details)'),  # the status: the contract's
    ('    body = {"total": len(chosen)}', '    body = {"TOTAL": len(chosen)}'),  # a JSON member's case is on the wire
    ('        "$is_not": lambda: actual != value,', '        "$is_not": lambda: actual == value,'),
    ("    limit_max = int(limit.get(\"maximum\", 100))", "    limit_max = int(limit.get(\"maximum\", 101))"),
])
def test_no_rule_explains_a_change_on_the_wire(removed, added):
    assert mutation.classify(diff(removed, added)) is None


def test_figures_count_the_explained_survivors_out_of_the_rate():
    Outcome = mutation.Outcome
    outcomes = [Outcome("conformance.mock.app.x_a__mutmut_1", 1, ["SEG-GET-404"]),
                Outcome("conformance.mock.app.x_a__mutmut_2", 2, causes=["precondition"]),
                Outcome("conformance.mock.app.x_a__mutmut_3", 0),
                Outcome("conformance.mock.listing.x_b__mutmut_1", 0)]
    diffs = {"conformance.mock.app.x_a__mutmut_3": diff('  if "x" in self.faults:', '  if "x" not in self.faults:'),
             "conformance.mock.listing.x_b__mutmut_1": diff("  a = 1", "  a = 2")}
    figures = mutation.figures(outcomes, {**diffs, "conformance.mock.app.x_a__mutmut_1": "", "conformance.mock.app.x_a__mutmut_2": ""})
    assert (figures.killed, figures.total, figures.unexplained) == (2, 4, ["conformance.mock.listing.x_b__mutmut_1"])
    assert figures.kill_rate == 2 / 3
    assert mutation.kill_rates(outcomes) == {"app": (2, 3), "listing": (0, 1)}
    assert mutation.kills_by_requirement(outcomes) == {"SEG-GET-404": 1, "(INCOMPLETE)": 1}


def test_a_seeded_sample_of_mutants_is_killed_or_its_survival_explained(tmp_path):
    mutants = mutation.write_mutants(mutation.MODULES, tmp_path)  # refuses a mock that is not CONFORMANT itself
    chosen = mutation.sample(mutants, SAMPLE_SIZE, SAMPLE_SEED)
    assert len(chosen) == SAMPLE_SIZE and all(mutant in mutants[mutant.split(".")[2]] for mutant in chosen)
    outcomes = mutation.run_mutants(tmp_path, chosen, jobs=2, progress=lambda text: None)
    assert sorted(outcome.mutant for outcome in outcomes) == sorted(chosen)
    diffs = {outcome.mutant: mutation.mutant_diff(tmp_path, outcome.mutant) for outcome in outcomes}
    figures = mutation.figures(outcomes, diffs)
    assert figures.killed > 0
    known = (ROOT / "docs" / "mutation.md").read_text(encoding="utf-8")
    unknown = [mutant for mutant in figures.unexplained if mutation.changed_line(diffs[mutant]) not in known]
    assert unknown == [], "survivors no rule explains and docs/mutation.md does not list:\n" + "\n".join(
        f"{mutant}\n{diffs[mutant]}" for mutant in unknown)
