"""Scope reasons per requirement: from what removed each of its tests, the weakest reason wins."""

import pytest

from conformance.judging import HEAVY_SKIP
from conformance.scope import deselected_reason, kind_of, requirement_reason

PROFILE = "out of the sandbox profile"
SELECTED = "not selected (-k 'test_get_unknown_id_is_404')"
DOCUMENT = "the document has no list-segment operation"


def test_a_test_outside_the_profile_is_the_profile_s_and_one_inside_it_is_the_selection_s():
    assert deselected_reason(profile="sandbox", in_profile=False, keyword="x", markexpr=None) == PROFILE
    assert deselected_reason(profile="sandbox", in_profile=True, keyword="x", markexpr=None) == "not selected (-k 'x')"
    assert deselected_reason(profile=None, in_profile=True, keyword=None, markexpr="not caps") == "not selected (-m 'not caps')"


@pytest.mark.parametrize("reasons, expected", [
    ([PROFILE, PROFILE], PROFILE),                       # the profile alone excludes it
    ([PROFILE, SELECTED], SELECTED),                     # the profile alone would keep the second test
    ([SELECTED], SELECTED),
    ([DOCUMENT, PROFILE], PROFILE),
    ([HEAVY_SKIP, SELECTED], SELECTED),
    ([HEAVY_SKIP, PROFILE, HEAVY_SKIP], PROFILE),
    ([DOCUMENT], DOCUMENT),
])
def test_a_requirement_s_reason_is_the_weakest_of_its_tests(reasons, expected):
    assert requirement_reason(reasons) == expected


def test_every_reason_the_run_gives_has_its_kind():
    assert [kind_of(reason) for reason in (DOCUMENT, "runs with --depth deep", HEAVY_SKIP, PROFILE, SELECTED)] == [
        "document", "depth", "heavy", "profile", "selection"]
