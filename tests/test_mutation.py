"""Mutation testing of the reference mock (scripts/mutation.py): the rules that explain survivors,
on functions written here, in both directions (each explains its class, and none explains a change
on the wire); the proof that the mock is built alike; the suite's own helpers kept unmutated; the
choice of mutants to run again; and a seeded sample of real mutants, each run through the whole
suite in-process, every survivor of which is either explained by a rule or written down in
docs/mutation.md (by the line it changes: mutmut numbers mutants anew when a function changes).
The full run is `python scripts/mutation.py` (figures in docs/mutation.md).
"""

import ast
import importlib.util
import json
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


def function(*body):
    return "def f(self, request, body, kind, operation, segment_id, details):\n" + "".join(f"    {line}\n" for line in body)


def rule(original, mutated):
    found = mutation.classify(function(*original), function(*mutated))
    return found and found[0]


@pytest.mark.parametrize("original, mutated, expected", [
    # a fault's name renamed in its test: the test stays false (or, negated, true)
    (['if "soft-delete" in self.faults:', "    return 1"], ['if "XXsoft-deleteXX" in self.faults:', "    return 1"],
     "fault switch"),
    (['if "x" not in self.faults:', "    return 1"], ['if "X" not in self.faults:', "    return 1"], "fault switch"),
    # code that runs only once the fault is found on: an if's body, a conditional's, a later operand
    (['if "x" in self.faults:', "    return 201"], ['if "x" in self.faults:', "    return 202"], "fault switch"),
    (['status = 201 if "x" in self.faults else 200'], ['status = 202 if "x" in self.faults else 200'], "fault switch"),
    (['if "x" in self.faults and len(body["name"]) > 5:', "    return 1"],
     ['if "x" in self.faults and len(body["name"]) >= 5:', "    return 1"], "fault switch"),
    # a harmless comparison before the fault's test
    (['if operation == "create" and "x" in self.faults:', "    return 1"],
     ['if operation != "create" and "x" in self.faults:', "    return 1"], "fault switch"),
    (['if body.filter is not None and "x" in self.variants:', "    return 1"],
     ['if body.filter is None and "x" in self.variants:', "    return 1"], "variant switch"),
    # the test made `(...) and False`: false either way
    (['status = 201 if "x" in self.faults else 200'], ['status = 201 if ("x" in self.faults) and False else 200'],
     "fault switch"),
    (['if "gzip" in self.variants:', "    body = 1"], ['if "gzip" in self.variants:', "    body = 2"], "variant switch"),
    (['app_token = request.headers.get("x-app-token")'], ['app_token = request.headers.get("X-APP-TOKEN")'],
     "case of a name"),
    (['given = segment_id.encode("latin-1")'], ['given = segment_id.encode("LATIN-1")'], "case of a name"),
    (['self.set_header("Content-Length", "0")'], ['self.set_header("CONTENT-LENGTH", "0")'], "case of a name"),
    (['return Answer(200, body, [("Content-Type", "application/json")])'],
     ['return Answer(200, body, [("CONTENT-TYPE", "application/json")])'], "case of a name"),
    (['return self._error(404, "not_found", "Resource not found", details)'],
     ['return self._error(404, "not_found", "XXResource not foundXX", details)'], "Error text"),
    (['return self._error(400, "invalid_query", "Invalid query", str(body))'],
     ['return self._error(400, "invalid_query", "Invalid query", str(None))'], "Error text"),
    (['details = f"Cannot find segment with id {segment_id}"', 'return self._error(404, "not_found", "Not found", details)'],
     ['details = f"XXCannot find segment with id XX{segment_id}"', 'return self._error(404, "not_found", "Not found", details)'],
     "Error text"),
    (['raise InvalidQuery("limit should be an integer")'], ['raise InvalidQuery("XXlimit should be an integerXX")'],
     "Error text"),
    (['raise InvalidBody("not JSON") from None'], ['raise InvalidBody(None) from None'], "Error text"),
])
def test_a_rule_explains_a_survivor_that_changes_nothing_the_contract_says(original, mutated, expected):
    assert rule(original, mutated) == expected


@pytest.mark.parametrize("original, mutated", [
    # the status, the code: the contract's
    (['return self._error(404, "not_found", "Resource not found", details)'],
     ['return self._error(400, "not_found", "Resource not found", details)']),
    # the key: invalid_payload by the vendor's convention (SEG-VALIDATION-400)
    (['return self._error(400, "invalid_payload", "Invalid payload", details)'],
     ['return self._error(400, "XXinvalid_payloadXX", "Invalid payload", details)']),
    (['key = "validation_error" if "x" in self.faults else "invalid_payload"', 'return self._error(400, key, "M", details)'],
     ['key = "validation_error" if "x" in self.faults else "INVALID_PAYLOAD"', 'return self._error(400, key, "M", details)']),
    # details made null: the Error schema says string
    (['return self._error(404, "not_found", "Resource not found", details)'],
     ['return self._error(404, "not_found", "Resource not found", None)']),
    # a text local that also feeds a header is not only text
    (['allowed = "GET, POST"', 'answer = self._error(405, "m", "M", allowed)', 'answer.set_header("Allow", allowed)'],
     ['allowed = "XXGET, POSTXX"', 'answer = self._error(405, "m", "M", allowed)', 'answer.set_header("Allow", allowed)']),
    (['raise InvalidBody("not JSON") from None'], ['raise ValueError("not JSON") from None']),
    # a format spec can raise, here too
    (['width = ">3"', 'return self._error(500, "e", "E", f"{operation:{width}}")'],
     ['width = "XX>3XX"', 'return self._error(500, "e", "E", f"{operation:{width}}")']),
    # a format spec can raise
    (['return self._error(500, "e", "E", f"{operation:>3}")'], ['return self._error(500, "e", "E", f"{operation:XX>3XX}")']),
    # a JSON member's name and value: on the wire, with case
    (['body = {"total": len(body)}'], ['body = {"TOTAL": len(body)}']),
    (['name = body.get("name")'], ['name = body.get("NAME")']),
    (['self.set_header("Content-Type", "application/json")'], ['self.set_header("Content-Type", "APPLICATION/JSON")']),
    (['"$is_not": lambda: actual != value,'.join(("x = {", "}"))], ['"$is_not": lambda: actual == value,'.join(("x = {", "}"))]),
    # the answer the correct mock gives, beside a fault's
    (['status = 201 if "x" in self.faults else 200'], ['status = 201 if "x" in self.faults else 201']),
    (['return {} if "x" in self.faults else None'], ['return {} if "x" in self.faults else ""']),
    # a fault switched on for good, a variant too: read one by one
    (['if "x" in self.faults:', "    return 1"], ['if "x" not in self.faults:', "    return 1"]),
    (['if "gzip" in self.variants:', "    body = 1"], ['if "gzip" not in self.variants:', "    body = 1"]),
    (['if operation == "get" and "x" in self.faults:', "    return 1"], ['if operation == "get" or "x" in self.faults:', "    return 1"]),
    # a test that no longer looks for the fault first, nor at all
    (['if "x" not in self.faults and operation == "get":', "    return 1"],
     ['if "x" not in self.faults and operation != "get":', "    return 1"]),
    # an operand before the fault's test that can raise now, or runs under other conditions than before
    (['if body is not None and body.name and "x" in self.faults:', "    return 1"],
     ['if body is None and body.name and "x" in self.faults:', "    return 1"]),
    (['if operation in ("get", "delete") and "x" in self.faults:', "    return 1"],
     ['if operation in None and "x" in self.faults:', "    return 1"]),
    (['if body.get("name") == "" and "x" in self.faults:', "    return 1"],
     ['if body.get(None) == "" and "x" in self.faults:', "    return 1"]),
    (['if kind in DYNAMIC and "x" in self.faults:', "    return 1"], ['if kind not in DYNAMIC and "x" in self.faults:', "    return 1"]),
    # a limit, a comparison: values on the wire
    (['limit_max = int(limit.get("maximum", 100))'], ['limit_max = int(limit.get("maximum", 101))']),
])
def test_no_rule_explains_a_change_on_the_wire(original, mutated):
    assert mutation.classify(function(*original), function(*mutated)) is None


def test_the_mock_built_alike_is_a_proof_only_where_it_holds():
    assert mutation.classify("def f():\n    return 1\n", "def f():\n    return 2\n", built_alike=True)[0] == "built alike"
    from conformance.contract import Contract
    from conformance.mock.app import create_app

    contract = Contract.load(mutation.JULY)
    built = mutation._state(create_app("id", "token", contract=contract).state.mock, contract)
    assert built == mutation._state(create_app("id", "token", contract=contract).state.mock, contract)
    other = create_app("id", "token", contract=contract).state.mock
    other.list_rules.limit_max = 101
    assert mutation._state(other, contract) != built
    other = create_app("id", "token", contract=contract).state.mock
    other.create_rules._validator = None
    assert mutation._state(other, contract) != built


def test_the_functions_proved_built_alike_run_only_while_the_mock_is_built():
    """Every call of a BUILT_FROM_THE_DOCUMENT helper is inside a constructor in that list, or is
    create_app's own: so the mock they build holds all they do."""
    names = {name: module for module, functions in mutation.BUILT_FROM_THE_DOCUMENT.items() for name in functions}
    constructors = {"SegmentsMock", "ListRules", "CreateRules", "SegmentStore", "MockApp"}
    helpers = {name.removeprefix("x_") for name in names if not name.startswith("xǁ")} | {
        name.split("ǁ")[-1] for name in names if name.startswith("xǁ") and not name.endswith("__init__")}
    for path in (ROOT / "conformance").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for outer in ast.walk(tree):
            if not isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call in ast.walk(outer):
                if isinstance(call, ast.Call):
                    called = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
                    if called in helpers - {"create_app"} or called in constructors - {"MockApp"}:
                        assert outer.name in ("__init__", "create_app"), f"{path.name}: {outer.name} calls {called}"


def test_a_string_a_text_function_returns_is_error_text_and_only_there():
    original, mutated = function('return "Request body should be a JSON object"'), function('return "XX"')
    assert mutation.classify(original, mutated, text_function=True)[0] == "Error text"
    assert mutation.classify(original, mutated) is None
    kind = function('kind = body.get("type")', "return kind"), function('kind = body.get(None)', "return kind")
    assert mutation.classify(*kind, text_function=True) is None  # not a string for a string: it could act


def test_the_text_functions_only_word_error_details():
    """Each call of a TEXT_FUNCTIONS function is an argument of InvalidBody/InvalidQuery/_error at a
    text position, or inside another text function (possibly through an f-string or a local)."""
    names = {name.rsplit(".", 1)[1] for name in mutation.TEXT_FUNCTIONS}
    for path in (ROOT / "conformance").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.parent.name != "mock":  # contract.py has a _describe of its own; none imports the mock's
            assert not [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                        and node.module == "conformance.mock.validation" for alias in node.names if alias.name in names]
            continue
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for call in ast.walk(tree):
            called = mutation._called(call) if isinstance(call, ast.Call) else None
            if called not in names:
                continue
            node = call
            while node in parents and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                parent = parents[node]
                if mutation._called(parent) in mutation._ERROR_TEXT and node in parent.args:
                    assert parent.args.index(node) in mutation._ERROR_TEXT[mutation._called(parent)]
                    break
                node = parent
            else:
                assert node.name in names, f"{path.name}: {node.name} uses {called}'s text elsewhere"


def test_a_function_the_suite_imports_from_the_mock_is_the_original_there(tmp_path):
    (tmp_path / "store.py").write_text("def x_pick__mutmut_orig():\n    return 'original'\n\n"
                                       "def pick():\n    return 'mutant'\n", encoding="utf-8")
    finder = mutation._MutatedMock(tmp_path, ["store"])
    spec = importlib.util.spec_from_loader("conformance.mock.store", finder, origin=str(tmp_path / "store.py"))
    module = importlib.util.module_from_spec(spec)
    finder.exec_module(module)
    suite, mock = {"__name__": "conformance.suite.test_list"}, {"__name__": "conformance.mock.listing"}
    exec("pick = store.pick", suite | {"store": module}, suite)  # noqa: S102 - two namespaces, our own text
    exec("pick = store.pick", mock | {"store": module}, mock)  # noqa: S102
    assert (suite["pick"](), mock["pick"]()) == ("original", "mutant")


def test_the_survivors_of_a_previous_run_are_found_again_by_what_they_change(tmp_path, monkeypatch):
    diffs = {"conformance.mock.app.xǁSegmentsMockǁ_get__mutmut_7": "--- \n+++ \n@@ -3 +3 @@\n-    a = 1\n+    a = 2\n",
             "conformance.mock.app.xǁSegmentsMockǁ_get__mutmut_8": "--- \n+++ \n@@ -3 +3 @@\n-    a = 1\n+    a = 3\n"}
    monkeypatch.setattr(mutation, "mutant_diff", lambda mutated_dir, mutant: diffs[mutant])
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps([
        {"mutant": "conformance.mock.app.xǁSegmentsMockǁ_get__mutmut_3", "exit_code": 0,
         "diff": "--- \n+++ \n@@ -4 +4 @@\n-    a = 1\n+    a = 2\n"},  # renumbered, moved a line: the same mutant
        {"mutant": "conformance.mock.app.xǁSegmentsMockǁ_get__mutmut_4", "exit_code": 1, "diff": ""},  # killed
        {"mutant": "conformance.mock.app.xǁSegmentsMockǁ_get__mutmut_5", "exit_code": 0,
         "diff": "--- \n+++ \n@@ -4 +4 @@\n-    b = 1\n+    b = 2\n"}]), encoding="utf-8")  # gone
    chosen, missing = mutation.chosen_mutants(previous, tmp_path, {"app": list(diffs)})
    assert chosen == ["conformance.mock.app.xǁSegmentsMockǁ_get__mutmut_7"]
    assert missing == ["conformance.mock.app.xǁSegmentsMockǁ_get__mutmut_5"]
    names = tmp_path / "names.txt"
    names.write_text("# survivors\nconformance.mock.app.xǁSegmentsMockǁ_get__mutmut_8\nconformance.mock.app.nothing__mutmut_1\n")
    assert mutation.chosen_mutants(names, tmp_path, {"app": list(diffs)}) == (
        ["conformance.mock.app.xǁSegmentsMockǁ_get__mutmut_8"], ["conformance.mock.app.nothing__mutmut_1"])
    previous.write_text('{"not": "a run"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not the --json"):
        mutation.read_outcomes(previous)


def test_survivors_run_again_replace_theirs_in_the_previous_run():
    Outcome = mutation.Outcome
    previous = [
        {"mutant": "conformance.mock.app.x_a__mutmut_1", "exit_code": 1, "failed": ["SEG-GET-404"], "diff": "killed"},
        {"mutant": "conformance.mock.app.x_a__mutmut_2", "exit_code": 0, "diff": "--- \n+++ \n@@ -2 +2 @@\n-    a = 1\n+    a = 2\n"},
        {"mutant": "conformance.mock.app.x_a__mutmut_3", "exit_code": 0, "diff": "--- \n+++ \n@@ -2 +2 @@\n-    b = 1\n+    b = 2\n"},
        {"mutant": "conformance.mock.app.x_a__mutmut_5", "exit_code": 2, "diff": "another"}]  # this tree's _5 is another
    rerun = [Outcome("conformance.mock.app.x_a__mutmut_5", 1, ["SEG-LIST-ORDER"])]  # renumbered, killed now
    diffs = {"conformance.mock.app.x_a__mutmut_5": "--- \n+++ \n@@ -3 +3 @@\n-    a = 1\n+    a = 2\n"}
    outcomes, merged = mutation._with_previous(previous, rerun, diffs)
    assert [(o.mutant, o.exit_code) for o in outcomes] == [
        ("conformance.mock.app.x_a__mutmut_1", 1), ("conformance.mock.app.x_a__mutmut_5", 1),  # _3: gone from the tree
        ("conformance.mock.app.x_a__mutmut_5@previous", 2)]
    assert merged["conformance.mock.app.x_a__mutmut_5"] == diffs["conformance.mock.app.x_a__mutmut_5"]
    assert merged["conformance.mock.app.x_a__mutmut_5@previous"] == "another"


def test_a_mutant_that_only_deletes_is_named_by_the_line_it_deletes():
    assert mutation.changed_line("--- \n+++ \n@@ -3,2 +3 @@\n-        born=1,\n-    )\n+        )\n") == "deleted: born=1,"
    assert mutation.changed_line("--- \n+++ \n@@ -3 +3 @@\n-    a = 1\n+    a = 2\n") == "a = 2"


def test_every_row_of_the_note_reads_a_survivor_as_one_of_the_three_classes():
    """A row whose class the script cannot read would drop out of the figures unseen."""
    rows = [line for line in mutation.NOTE.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    assert rows and len(mutation.read_survivors("\n".join(rows))) == len({tuple(row.split(" | ")[:2]) for row in rows})


def test_figures_count_the_explained_survivors_out_of_the_rate():
    Outcome = mutation.Outcome
    outcomes = [Outcome("conformance.mock.app.x_a__mutmut_1", 1, ["SEG-GET-404"]),
                Outcome("conformance.mock.app.x_a__mutmut_2", 2, causes=["precondition"]),
                Outcome("conformance.mock.app.x_a__mutmut_3", 0),
                Outcome("conformance.mock.listing.x_b__mutmut_1", 0)]
    explained = {"conformance.mock.app.x_a__mutmut_3": ("fault switch", "equivalent: ...")}
    figures = mutation.figures(outcomes, explained)
    assert (figures.killed, figures.total, figures.unexplained) == (2, 4, ["conformance.mock.listing.x_b__mutmut_1"])
    assert figures.kill_rate == 2 / 3  # a survivor not read yet counts as not killed
    diffs = {"conformance.mock.listing.x_b__mutmut_1": "--- \n+++ \n@@ -1 +1 @@\n-    a = 1\n+    a = 2\n"}
    for kind, rate in (("equivalent", 1.0), ("outside the contract", 1.0), ("blind spot", 2 / 3)):
        note = f"| `listing.b` | `a = 2` | {kind} | why |\n"
        figures = mutation.figures(outcomes, explained, diffs, note)
        assert (figures.read, figures.unread, figures.kill_rate) == (
            {"conformance.mock.listing.x_b__mutmut_1": kind}, [], rate)
    report = mutation.report(outcomes, {**diffs, "conformance.mock.app.x_a__mutmut_3": ""}, explained,
                             "| `listing.b` | `a = 2` | blind spot | why |")
    assert "kill rate of the mutants the contract forbids: 2 / 3 = 66.7%" in report
    assert "listing.b: a = 2" in report
    assert mutation.kill_rates(outcomes) == {"app": (2, 3), "listing": (0, 1)}
    assert mutation.kills_by_requirement(outcomes) == {"SEG-GET-404": 1, "(INCOMPLETE)": 1}


def test_a_seeded_sample_of_mutants_is_killed_or_its_survival_explained(tmp_path):
    mutants = mutation.write_mutants(mutation.MODULES, tmp_path)  # refuses a mock that is not CONFORMANT itself
    chosen = mutation.sample(mutants, SAMPLE_SIZE, SAMPLE_SEED)
    assert len(chosen) == SAMPLE_SIZE and all(mutant in mutants[mutant.split(".")[2]] for mutant in chosen)
    outcomes = mutation.run_mutants(tmp_path, chosen, jobs=2, progress=lambda text: None)
    assert sorted(outcome.mutant for outcome in outcomes) == sorted(chosen)
    diffs = {outcome.mutant: mutation.mutant_diff(tmp_path, outcome.mutant) for outcome in outcomes}
    explained = mutation.explain(tmp_path, [outcome.mutant for outcome in outcomes if not outcome.killed])
    figures = mutation.figures(outcomes, explained, diffs, mutation.NOTE.read_text(encoding="utf-8"))
    assert figures.killed > 0
    assert figures.unread == [], "survivors no rule explains and docs/mutation.md does not read:\n" + "\n".join(
        f"{mutation.label(mutant)}\n{diffs[mutant]}" for mutant in figures.unread)
