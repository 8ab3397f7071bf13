"""Methods a documented path does not support: 405 with an Allow header (a SHOULD: the vendor
documents none). The probes come from the run's document: every method of GET, PUT, POST,
DELETE, PATCH that the document does not list for a path it documents."""

import pytest

from conformance.contract import CREATE_PATH, path_parameters
from conformance.keys import run_of
from conformance.suite import bodies
from conformance.suite.scenarios import create
from conformance.target import fill_path

SANDBOX_PROBE = ("DELETE", CREATE_PATH)
SAFE_EXTRA_METHODS = frozenset({"HEAD", "OPTIONS"})  # methods an Allow may list beyond the document, sent to see


def pytest_generate_tests(metafunc):
    """One probe for each method the run's document does not list for a path it documents."""
    contract = run_of(metafunc.config).contract
    probes = [(method, path) for path in contract.effective["paths"] for method in contract.undocumented_methods(path)]
    metafunc.parametrize("method, path", [
        pytest.param(m, p, id=f"{m} {p}", marks=[pytest.mark.sandbox] if (m, p) == SANDBOX_PROBE else []) for m, p in probes])


@pytest.mark.requirement("SEG-METHOD-405", "SEG-405-ALLOW", "SEG-CREATE-STATIC-200")  # its 405s are where SEG-405-ALLOW is judged
def test_unsupported_method(conformance, target, verify, names, method, path):
    """An unsupported method answers 405 with an Allow header naming the documented methods, and changes nothing."""
    concrete = path
    if path_parameters(path):  # a path that carries ids: one of ours in each
        created = create(conformance, target, verify, bodies.static(names("method"))).json
        concrete = fill_path(path, {name: created["id"] for name in path_parameters(path)})
    body = {"name": names("changed")} if method in ("PUT", "PATCH", "POST") else None
    exchange = target.send(method, concrete, json_body=body)
    verify.check("SEG-METHOD-405", exchange.status == 405, f"expected 405 for {method} {path}, answered {exchange.status}", exchange)
    if exchange.status == 405:
        allow = {item.strip().upper() for item in (exchange.header("Allow") or "").split(",") if item.strip()}
        documented = set(conformance.contract.documented_methods(path))
        verify.check("SEG-METHOD-405", bool(allow) and documented <= allow and method not in allow,
                     f"expected Allow to list {', '.join(sorted(documented))} and not {method} (which answered 405), "
                     f"got {exchange.header('Allow')!r}", exchange)
        if method == conformance.contract.undocumented_methods(path)[0]:  # once per path
            # What Allow lists beyond the document must be served: HEAD and OPTIONS only, as they
            # are safe (a DELETE the header lists is never sent to see). A 405 to one of them is
            # also SEG-405-ALLOW's, from the generic check: it lists the method it refuses.
            for extra in sorted((allow - documented) & SAFE_EXTRA_METHODS):
                served = target.send(extra, concrete)
                verify.check("SEG-METHOD-405", served.status != 405,
                             f"expected {extra}, which Allow lists for {path}, to be served, answered 405", served)
    else:  # the generic check judges Allow on every 405 of the run; a target that answers none gave it nothing
        verify.not_applicable("SEG-405-ALLOW", "the target answered no 405 (SEG-METHOD-405 judges that)")
