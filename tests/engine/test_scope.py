"""Scope reasons per requirement: from what removed each of its tests, the weakest reason wins."""

from types import SimpleNamespace

import pytest

from conformance.catalogue import load_catalogue
from conformance.contract import Contract
from conformance.judging import HEAVY_SKIP, why_left_out
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


class _Item:
    """What why_left_out reads of a pytest item: its marks."""

    nodeid = "test_x.py::test_x"

    def __init__(self, *marks):
        self.marks = [mark.mark for mark in marks]

    def iter_markers(self, name=None):
        return [mark for mark in self.marks if name in (None, mark.name)]

    def get_closest_marker(self, name):
        return next(iter(self.iter_markers(name)), None)


def test_every_reason_the_run_gives_has_its_kind():
    """The reasons judging.why_left_out and the -k/-m deselection write, each read back as its kind."""
    settings = SimpleNamespace(stateful=False, include_heavy=False)
    left_out = [why_left_out(_Item(*marks), load_catalogue(), Contract.bundled(), settings, loopback=False) for marks in (
        [pytest.mark.operation("list-segment")], [pytest.mark.deep], [pytest.mark.requirement("SEG-CAP-STATIC-20000")])]
    deselected = [deselected_reason(profile="sandbox", in_profile=in_profile, keyword="x", markexpr=None)
                  for in_profile in (False, True)]
    assert [kind_of(reason) for reason in left_out + deselected] == ["document", "depth", "heavy", "profile", "selection"]
