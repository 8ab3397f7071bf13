"""The Verifier owns a test's findings; the Recorder only adds up."""

import pytest

from conformance.catalogue import load_catalogue
from conformance.checks import Finding
from conformance.exchange import Exchange
from conformance.recording import ContractViolation, EVIDENCE_KEPT, PreconditionNotMet, Recorder, TestRecord, UndeclaredRequirement, Verifier
from conformance.verdict import Status

CATALOGUE = load_catalogue()


def verifier(*declared, strict=False, nodeid="t::a"):
    return Verifier(nodeid, declared, CATALOGUE, strict=strict)


def answer(status=200, sequence=1):
    return Exchange("GET", "http://x/v1/segments/seg_1", "/v1/segments/{segmentId}", "get-segment", {}, None, status, sequence=sequence)


def test_a_must_violation_fails_the_test_at_once_naming_requirement_expected_and_observed():
    check = verifier("SEG-GET-200")
    with pytest.raises(ContractViolation, match=r"^SEG-GET-200 \(MUST\): expected 200, answered 500"):
        check.check("SEG-GET-200", False, "expected 200, answered 500", answer(500))


def test_a_test_checks_only_what_it_declares_plus_the_generic_requirements():
    check = verifier("SEG-GET-200")
    check.check("SEG-NO-5XX", True, "fine")
    with pytest.raises(UndeclaredRequirement):
        check.check("SEG-DELETE-GONE", True, "not mine")


def test_generic_must_violations_wait_for_the_end_of_the_test():
    check = verifier("SEG-GET-200")
    check.generic([Finding("SEG-JSON-CONTENT-TYPE", False, "text/plain", answer())])
    check.check("SEG-GET-200", True, "200")  # the scenario's own checks still run
    assert check.failure_at_end().requirement == "SEG-JSON-CONTENT-TYPE"
    with pytest.raises(ContractViolation):
        check.raise_pending()


def test_should_failures_fail_the_test_only_under_strict_from_its_own_findings():
    relaxed, strict = verifier("SEG-VALIDATION-400"), verifier("SEG-VALIDATION-400", strict=True)
    for check in (relaxed, strict):
        assert check.check("SEG-VALIDATION-400", False, "422") is False  # no raise: a SHOULD
    assert relaxed.failure_at_end() is None
    assert strict.failure_at_end().status is Status.FAIL


def test_a_precondition_not_met_stops_the_test_with_its_reason():
    check = verifier("SEG-CAP-DYNAMIC-100")
    with pytest.raises(PreconditionNotMet, match="full"):
        check.not_tested("the target was full")
    assert check.precondition == "the target was full"


def test_counts_stay_exact_beyond_the_evidence_kept():
    recorder = Recorder()
    check = verifier("SEG-VALIDATION-400")
    for index in range(EVIDENCE_KEPT + 7):
        check.check("SEG-VALIDATION-400", False, f"violation {index}", answer(422, index))
    recorder.absorb(check)
    assert recorder.violations["SEG-VALIDATION-400"] == EVIDENCE_KEPT + 7
    assert len(recorder.kept["SEG-VALIDATION-400"]) == EVIDENCE_KEPT
    outcomes = {outcome.id: (outcome, count) for outcome, count in recorder.outcomes(CATALOGUE, {})}
    outcome, count = outcomes["SEG-VALIDATION-400"]
    assert outcome.status is Status.WARN and count == EVIDENCE_KEPT + 7


def test_not_tested_reasons_say_what_happened():
    recorder = Recorder()
    recorder.tests["t::stopped"] = TestRecord("t::stopped", "test stopped", ["SEG-GET-READBACK"], outcome="failed",
                                              failed_requirement="SEG-GET-200")
    recorder.tests["t::skipped"] = TestRecord("t::skipped", "test skipped", ["SEG-DELETE-GONE"], outcome="skipped",
                                              message="not tested: the request budget of 30 is spent")
    recorder.tests["t::never"] = TestRecord("t::never", "test never", ["SEG-GET-404"], outcome="not_run")
    recorder.causes.append("interrupted by SIGINT")
    reasons = {outcome.id: outcome.reason for outcome, _ in recorder.outcomes(CATALOGUE, {"SEG-CAP-DYNAMIC-100": "out of scope: x"})}
    assert reasons["SEG-GET-READBACK"] == "stopped stopped at SEG-GET-200 before it checked this"
    assert "budget of 30 is spent" in reasons["SEG-DELETE-GONE"]
    assert reasons["SEG-GET-404"] == "never did not run: interrupted by SIGINT"
    assert reasons["SEG-CAP-DYNAMIC-100"] == "out of scope: x"
    assert reasons["SEG-ID-UNIQUE"] == "no test of the suite declares it"


def test_a_worker_s_results_merge_with_unique_exchange_numbers():
    worker, controller = Recorder(), Recorder()
    check = verifier("SEG-GET-200")
    worker.tests["t::a"] = TestRecord("t::a", "a", ["SEG-GET-200"], outcome="failed")
    with pytest.raises(ContractViolation):
        check.check("SEG-GET-200", False, "500", answer(500, 3))
    worker.absorb(check)
    controller.merge(worker.export(), offset=100)
    assert controller.kept["SEG-GET-200"][0]["sequence"] == 103 and controller.violations["SEG-GET-200"] == 1


def _scope_and_outcomes(*verifiers):
    from conformance.contract import Contract
    from conformance.judging import run_scope

    recorder = Recorder()
    for check in verifiers:
        recorder.absorb(check)
    scope = run_scope(CATALOGUE, Contract.load(None), recorder)
    return scope, {outcome.id: outcome for outcome, _ in recorder.outcomes(CATALOGUE, scope)}


def test_a_requirement_no_answer_gave_anything_to_judge_is_out_of_scope_with_the_reason_never_a_pass():
    check = verifier("SEG-METHOD-405", "SEG-405-ALLOW")
    check.not_applicable("SEG-405-ALLOW", "the target answered no 405")
    scope, outcomes = _scope_and_outcomes(check)
    assert scope["SEG-405-ALLOW"] == "out of scope: not applicable: the target answered no 405"
    assert outcomes["SEG-405-ALLOW"].status is Status.NOT_TESTED and not outcomes["SEG-405-ALLOW"].in_scope


def test_a_requirement_another_test_judged_stays_in_scope_with_its_finding():
    idle, judged = verifier("SEG-405-ALLOW", nodeid="t::a"), verifier("SEG-405-ALLOW", nodeid="t::b")
    idle.not_applicable("SEG-405-ALLOW", "no 405 here")
    judged.generic([Finding("SEG-405-ALLOW", False, "a 405 without Allow", answer(405))])
    _, outcomes = _scope_and_outcomes(idle, judged)
    assert outcomes["SEG-405-ALLOW"].status is Status.FAIL and outcomes["SEG-405-ALLOW"].in_scope


def test_not_applicable_is_for_declared_requirements_only():
    with pytest.raises(UndeclaredRequirement):
        verifier("SEG-GET-200").not_applicable("SEG-DELETE-GONE", "not mine")
