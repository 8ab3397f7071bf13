"""Why a requirement is out of a run's scope, computed from what removed each of its tests.

A test is left out by one of five things, strongest first: the document (it lacks the test's
operation), the depth (a --depth deep test in a quick run), the heavy rule (the caps off loopback),
the profile (--profile sandbox keeps its marked tests), the selection (-k, -m). A test carries the
strongest that removed it: under `--profile sandbox -k X`, a test outside the profile is "out of
the sandbox profile" whether or not X matches it, and a test inside it that X does not match is
"not selected".

A requirement is out of scope when every test that verifies it is; its reason is the weakest of
its tests' reasons: the one that removed the tests that anything stronger would have kept. With
`--profile sandbox -k test_get_unknown_id_is_404`, a requirement with one test outside the profile
and one inside it is out because of `-k` (the profile alone would have kept the second test), so
the scope counts it under the selection, and only what the profile alone excludes under the profile.
"""

from __future__ import annotations

from typing import Iterable

KINDS = ("document", "depth", "heavy", "profile", "selection")  # strongest first
_PREFIXES = {  # how each kind's reason begins (the texts are made below and in judging.why_left_out)
    "document": "the document has no ",
    "depth": "runs with --depth ",
    "heavy": "heavy scenario",
    "profile": "out of the ",
    "selection": "not selected",
}


def kind_of(reason: str) -> str:
    """Which of KINDS a test's reason is; an unknown text counts as a selection (the weakest)."""
    return next((kind for kind, prefix in _PREFIXES.items() if reason.startswith(prefix)), "selection")


def deselected_reason(*, profile: str | None, in_profile: bool, keyword: str | None, markexpr: str | None) -> str:
    """Why pytest's -k/-m deselected a test: the profile when the test is outside it, else the
    user's own selection, quoted as given."""
    if profile and not in_profile:
        return f"out of the {profile} profile"
    chosen = " ".join(f"{flag} {value!r}" for flag, value in (("-k", keyword), ("-m", markexpr)) if value)
    return f"not selected ({chosen})" if chosen else "not selected"


def requirement_reason(test_reasons: Iterable[str]) -> str:
    """The reason a requirement is out of scope, from the reasons of all its tests (all left out)."""
    reasons = list(test_reasons)
    weakest = max(KINDS.index(kind_of(reason)) for reason in reasons)
    return next(reason for reason in reasons if KINDS.index(kind_of(reason)) == weakest)


def why_deselected(item, settings) -> str:
    """`deselected_reason` for a pytest item that -k/-m (or the profile's -m) deselected."""
    from conformance.options import PROFILES

    in_profile = True
    if settings.profile:
        from _pytest.mark import MarkMatcher
        from _pytest.mark.expression import Expression

        expression = Expression.compile(PROFILES[settings.profile]["markexpr"])
        in_profile = expression.evaluate(MarkMatcher.from_markers(item.iter_markers()))
    return deselected_reason(profile=settings.profile, in_profile=in_profile, keyword=settings.keyword,
                             markexpr=settings.markexpr)
