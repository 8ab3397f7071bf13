"""The verdict, defined once: what a CI gate may trust."""

from conformance.verdict import Level, RequirementOutcome, Status, Verdict, decide, violation_status


def outcome(requirement_id, status, level=Level.MUST, in_scope=True, reason=None):
    return RequirementOutcome(requirement_id, level, status, in_scope, reason)


def test_the_scope_counts_by_level_and_says_why():
    decision = decide([outcome("A", Status.PASS),
                       outcome("B", Status.NOT_TESTED, in_scope=False, reason="out of scope: not selected (-k, -m)"),
                       outcome("C", Status.NOT_TESTED, in_scope=False, reason="out of scope: not selected (-k, -m)"),
                       outcome("D", Status.NOT_TESTED, Level.SHOULD, in_scope=False,
                               reason="out of scope: the document has no list-segment operation")],
                      scope_note="within the selection -k 'x'")
    assert decision.scope == ("within the selection -k 'x': 2 MUST, 1 SHOULD requirement(s) out of scope "
                              "(not selected (-k, -m): 2; the document has no list-segment operation: 1)")


def test_conformant_needs_everything_in_scope_tested_and_nothing_failed():
    decision = decide([outcome("A", Status.PASS), outcome("B", Status.OBSERVED, Level.OBSERVE)])
    assert decision.verdict is Verdict.CONFORMANT and decision.exit_code == 0 and decision.causes == ()


def test_an_untested_requirement_in_scope_makes_it_incomplete_naming_it():
    decision = decide([outcome("A", Status.PASS), outcome("B", Status.NOT_TESTED)])
    assert decision.verdict is Verdict.INCOMPLETE and decision.exit_code == 2
    assert any("B" in cause for cause in decision.causes)


def test_requirements_out_of_scope_leave_a_scoped_conformant_verdict():
    decision = decide([outcome("A", Status.PASS), outcome("B", Status.NOT_TESTED, in_scope=False),
                       outcome("C", Status.NOT_TESTED, Level.SHOULD, in_scope=False)], scope_note="within profile sandbox")
    assert decision.verdict is Verdict.CONFORMANT
    assert decision.scope == "within profile sandbox: 1 MUST, 1 SHOULD requirement(s) out of scope (out of scope: 2)"
    assert decision.out_of_scope == ("B", "C")


def test_nonconformant_beats_incomplete():
    decision = decide([outcome("A", Status.FAIL), outcome("B", Status.NOT_TESTED)], causes=["interrupted by SIGINT"])
    assert decision.verdict is Verdict.NONCONFORMANT and decision.exit_code == 1
    assert "interrupted by SIGINT" in decision.causes


def test_nothing_tested_is_never_conformant():
    assert decide([outcome("A", Status.NOT_TESTED, in_scope=False)]).verdict is Verdict.INCOMPLETE
    assert decide([]).verdict is Verdict.INCOMPLETE


def test_a_cause_alone_makes_it_incomplete():
    assert decide([outcome("A", Status.PASS)], causes=["test_x errored"]).verdict is Verdict.INCOMPLETE


def test_a_warning_is_conformant_and_strict_makes_should_fail():
    assert decide([outcome("A", Status.WARN, Level.SHOULD)]).verdict is Verdict.CONFORMANT
    assert violation_status(Level.SHOULD, strict=False) is Status.WARN
    assert violation_status(Level.SHOULD, strict=True) is Status.FAIL
    assert violation_status(Level.MUST, strict=False) is Status.FAIL


def test_a_summary_keeps_its_verdict_unless_the_run_was_interrupted():
    from conformance.verdict import verdict_of_summary

    for verdict in ("CONFORMANT", "NONCONFORMANT", "INCOMPLETE"):
        assert verdict_of_summary({"verdict": verdict, "run": {"interrupted": None}}) == verdict
    assert verdict_of_summary({"verdict": "CONFORMANT", "run": {"interrupted": "SIGINT"}}) == "INCOMPLETE"
    assert verdict_of_summary({"verdict": "NONCONFORMANT", "run": {"interrupted": "SIGINT"}}) == "NONCONFORMANT"
