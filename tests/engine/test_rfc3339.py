"""The one RFC 3339 reading the checks, the mock and the SDK gate share."""

import pytest

from conformance import rfc3339


@pytest.mark.parametrize("text", ["1990-12-31T23:59:60Z", "2022-09-13t08:57:15.801z", "2022-09-13T03:27:15.801-05:30",
                                  "2022-09-13T08:57:15.801234+00:00", "2024-02-29T00:00:00Z"])
def test_every_form_the_rfc_allows_is_a_date_time(text):
    assert rfc3339.is_date_time(text)


@pytest.mark.parametrize("text", ["2022-09-13T08:57:15.801", "2022-02-30T00:00:00Z", "2022-09-13T24:00:00Z",
                                  "2022-09-13T08:57:61Z", "2022-09-13T08:57:15+24:00", "2022-09-13 08:57:15Z",
                                  "2022-09-13T08:57:15.Z", "2022-09-13T08:57:15Zjunk", None, 20220913])
def test_what_it_does_not_allow_is_not(text):
    assert not rfc3339.is_date_time(text)


def test_the_parts_are_as_written():
    written = rfc3339.parts("1990-12-31t15:59:60.50-08:00")
    assert (written.year, written.month, written.day, written.hour, written.minute, written.second) == (1990, 12, 31, 15, 59, 60)
    assert written.leap and written.fraction == "50" and written.zone == "-08:00" and written.offset_minutes == -480


def test_a_zone_less_form_is_read_only_when_asked():
    assert rfc3339.parts("2022-09-13T08:57:15.801") is None
    assert rfc3339.parts("2022-09-13T08:57:15.801", zone_required=False).offset_minutes is None
