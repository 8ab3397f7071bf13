"""The adapter boundary: what the gate needs from a client of the Segments API.

A client (the vendor's SDK, ours, one in another language behind a subprocess) implements
SegmentsClient. Everything crossing the boundary is plain JSON-able data: bodies in, Results out.
A Result is either the value the client returned, turned into plain data by the client's own
serializer (the one it uses to put a model on the wire), or the error it raised.

The gate never calls a client's internals: it drives the three operations against a server
(create, get, delete) and four model-level hooks that do what the client does with a body or an
answer, without a socket:

    parse_segment(text, operation)     parse an answer as the client does when a server sends it
    roundtrip_segment(text, operation) parse, then serialize with the client's own serializer
    serialize_segment(text, serializer, operation)  each serializer the client offers for a Segment
    serialize_create(body, way)        the request the client would send for a body built that way
"""

from __future__ import annotations

import abc
import json
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

OPERATIONS = ("create", "get")  # the operations that answer a Segment


@dataclass(frozen=True)
class ClientError:
    """What a client raised: its class, whether it is the client's documented API error, and the
    status and body it carries (None where it carries none)."""

    cls: str
    documented: bool
    status: int | None
    body: str | None
    message: str
    #: the Error object's members the exception exposes (code, key, message, ...), where it exposes
    #: them instead of (or beside) the body: the JS SDK without exposeErrorCause
    fields: dict[str, Any] | None = None

    @classmethod
    def of(cls, error: BaseException, *, documented: bool, status: int | None = None, body: Any = None) -> ClientError:
        if isinstance(body, bytes):
            body = body.decode("utf-8", errors="replace")
        kind = type(error)
        message = " ".join(str(error).split())  # one line: pydantic and urllib3 messages span many
        return cls(f"{kind.__module__}.{kind.__qualname__}", documented, status, body, message[:500])


@dataclass(frozen=True)
class Result:
    """What an operation or hook gave back: a plain value, or the error the client raised."""

    value: Any = None
    error: ClientError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        if self.error is None:
            return f"returned {json.dumps(self.value, ensure_ascii=False, default=repr)[:300]}"
        status = f" status {self.error.status}" if self.error.status is not None else ""
        return f"raised {self.error.cls}{status}: {self.error.message[:200]}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SentRequest:
    """A request as the client would put it on the wire (serialize_create)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


class SegmentsClient(abc.ABC):
    """One client of the Segments API, as the gate drives it."""

    #: short name (`--client NAME`), and the client's own version, for the report
    name: str = ""
    version: str = ""
    #: the ways the client offers to build a create request ("constructor", "from_dict", ...)
    ways: tuple[str, ...] = ()
    #: the serializers the client offers for a Segment it parsed ("to_dict", "to_json", ...)
    segment_serializers: tuple[str, ...] = ()
    #: the exception class the client documents for API errors, for messages
    documented_error: str = ""
    #: the client's default timeout as its documentation or code states it ("none": it waits forever)
    default_timeout: str = "none"
    #: the document's operations (operationId) the client offers; one it does not offer is out of scope
    offers: tuple[str, ...] = ("create-segment", "get-segment", "delete-segment")

    @abc.abstractmethod
    def configure(self, base_url: str, app_id: str, app_token: str) -> None:
        """Point the client at `base_url` with these credentials (called again to change them)."""

    # --- the operations, against a server -----------------------------------------------------------

    @abc.abstractmethod
    def create(self, body: dict[str, Any], way: str) -> Result:
        """Build a create request from `body` the way named `way` and send it."""

    @abc.abstractmethod
    def get(self, segment_id: str) -> Result: ...

    @abc.abstractmethod
    def delete(self, segment_id: str) -> Result:
        """Delete; a Result with value None when the client returned nothing."""

    def list(self) -> Result:
        """GET /v1/segments (list-segment), for a client whose `offers` has it."""
        raise NotImplementedError(f"{self.name} offers no list operation")

    # --- model-level hooks, no socket ---------------------------------------------------------------

    @abc.abstractmethod
    def parse_segment(self, text: str, operation: str = "get") -> Result:
        """Parse `text` as the client parses a 200 answer of `operation`; the value is the
        parsed model's class name (the model itself stays inside the adapter)."""

    @abc.abstractmethod
    def roundtrip_segment(self, text: str, operation: str = "get") -> Result:
        """Parse `text`, then serialize the model with the client's own serializer: plain data."""

    @abc.abstractmethod
    def serialize_segment(self, text: str, serializer: str, operation: str = "get") -> Result:
        """Parse `text`, then serialize the model with `serializer` (one of segment_serializers)."""

    @abc.abstractmethod
    def serialize_create(self, body: dict[str, Any], way: str) -> Result:
        """The request the client would send for `body` built the way `way`: a Result whose
        value is a SentRequest as a dict (method, path, headers, body text)."""

    def call_within(self, seconds: float, operation: str, *args: Any) -> Result | None:
        """Run `operation` (create, get, delete) with `args`; None when it has not ended after
        `seconds`. The default runs it on a daemon thread, abandoned where it waits (the scripted
        server closes the connection later); an adapter around a process overrides this."""
        outcome: list[Result] = []
        worker = threading.Thread(target=lambda: outcome.append(getattr(self, operation)(*args)), daemon=True,
                                  name=f"sdk-gate-{operation}")
        worker.start()
        worker.join(seconds)
        return outcome[0] if outcome else None

    def close(self) -> None:
        """Release connections; the default does nothing."""

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "ways": list(self.ways),
                "segment_serializers": list(self.segment_serializers), "documented_error": self.documented_error,
                "default_timeout": self.default_timeout, "offers": list(self.offers)}


# --- the registry ------------------------------------------------------------------------------------

CLIENTS = ("voucherify", "voucherify-js", "reference")


def client_class(name: str) -> type[SegmentsClient]:
    """The adapter class of the client named `name` (its module is imported on first use: the
    vendor's SDK takes seconds to import). The one place a client name becomes a class."""
    if name == "reference":
        from conformance.sdk.clients.reference import ReferenceAdapter

        return ReferenceAdapter
    if name == "voucherify":
        from conformance.sdk.clients.vendor_python import VoucherifyAdapter

        return VoucherifyAdapter
    if name == "voucherify-js":
        from conformance.sdk.clients.vendor_js import VoucherifyJsAdapter

        return VoucherifyJsAdapter
    raise ValueError(f"unknown client {name!r}; one of {', '.join(CLIENTS)}")


def make_client(name: str, faults: tuple[str, ...] | list[str] = ()) -> SegmentsClient:
    """A new, unconfigured client by name; `faults` only for the reference client."""
    adapter = client_class(name)
    if name == "reference":
        return adapter(faults)
    if faults:
        raise ValueError("client faults apply to the reference client only (--client reference)")
    return adapter()
