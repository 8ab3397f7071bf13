"""The reference mock of the Segments API, its fault switches and its legal variants.

    from conformance.mock import MockServer, FAULTS, VARIANTS
    with MockServer(faults=["soft-delete"], variants=["long-ids"], contract=None) as mock:
        ...  # mock.url, mock.auth_headers
    FAULTS["soft-delete"].requirements  # ('SEG-DELETE-GONE',)
    FAULTS["soft-delete"].exclusive  # True: it breaks that requirement and no other

The names below are imported on first use, so `conformance lint` (whose CLI imports
conformance.mock.command) does not pay for Starlette and uvicorn.
"""

from __future__ import annotations

import importlib

_PUBLIC = {
    "create_app": "conformance.mock.app",
    "MockServer": "conformance.mock.server",
    "ListenError": "conformance.mock.server",
    "serve_forever": "conformance.mock.server",
    "DEFAULT_APP_ID": "conformance.mock.server",
    "DEFAULT_APP_TOKEN": "conformance.mock.server",
    "FAULTS": "conformance.mock.faults",
    "Fault": "conformance.mock.faults",
    "UnknownFault": "conformance.mock.faults",
    "faults_breaking": "conformance.mock.faults",
    "exclusive_faults": "conformance.mock.faults",
    "faults_for": "conformance.mock.faults",
    "FaultNotApplicable": "conformance.mock.faults",
    "VARIANTS": "conformance.mock.variants",
    "Variant": "conformance.mock.variants",
    "UnknownVariant": "conformance.mock.variants",
    "VariantNotLegal": "conformance.mock.variants",
    "UnsupportedOperation": "conformance.mock.app",
}

__all__ = list(_PUBLIC)


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
