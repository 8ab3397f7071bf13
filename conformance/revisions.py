"""The vendor's revisions this package ships, by name: `--spec 2026-07` works in a fresh clone and
in an installed copy alike, with no outside path. `conformance revisions` lists them.

A `--spec` value is a file when one exists at that path (a file wins over a name, so nobody's
existing path changes meaning); otherwise a name from REVISIONS; otherwise a one-line usage error
that lists the names. The files are the vendor's documents as published, never edited (their
defects are lint's to report).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from conformance.exits import EXIT_OK, UsageError


@dataclass(frozen=True)
class Revision:
    name: str
    file: str  # in conformance.openapi (the repository's openapi/)
    summary: str

    @property
    def path(self) -> Path:
        return Path(str(files("conformance.openapi") / self.file))


REVISIONS = {
    revision.name: revision
    for revision in (
        Revision("bundled", "segments.json", "the default: POST, GET and DELETE of a segment"),
        Revision("2026-07", "segments-2026-07.json", "published 2026-07-17 (voucherify-openapi 9e33300c): adds "
                 "GET /v1/segments, updated_at on the Segment, error.message on the Error"),
    )
}


def spec_path(spec: str, *, option: str = "--spec") -> str:
    """The file `spec` names: the path itself if it is a file, else a shipped revision's file."""
    if Path(spec).is_file():
        return spec
    revision = REVISIONS.get(spec)
    if revision is not None:
        return str(revision.path)
    if Path(spec).exists():
        raise UsageError(f"{option}: cannot read {spec}: not a regular file")
    raise UsageError(f"{option}: cannot read {spec}: no such file, and not a shipped revision ({', '.join(REVISIONS)}; "
                     "`conformance revisions` lists them)")


def valid_spec_path(spec: str, *, option: str = "--spec") -> str:
    """`spec_path`, for a command that tests or serves the document (run, sdk, mock): a file that
    is not valid OpenAPI 3.0 is one line naming lint's first problem (L100), before any traffic.
    The shipped revisions are valid (tests/test_revisions.py), so they are not read twice."""
    path = spec_path(spec, option=option)
    if spec not in REVISIONS or path == spec:
        from conformance.loader import load_valid_document

        load_valid_document(path, named=f"{option} {spec}")  # a DocumentError is a UsageError: one line, exit 4
    return path


def format_revisions() -> str:
    width = max(len(name) for name in REVISIONS)
    return "\n".join(f"{revision.name:<{width}}  openapi/{revision.file:<22}  {revision.summary}"
                     for revision in REVISIONS.values())


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "revisions",
        help="the vendor's revisions this package ships, by the name --spec takes",
        description="List the vendor's revisions of the segments document shipped with this package. Each name works\n"
                    "wherever a document is named: run --spec, sdk --spec, mock --spec, diff OLD NEW.",
        epilog=epilog,
    )
    parser.add_argument("--paths", action="store_true", help="print each revision's file instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.paths:
        print("\n".join(f"{name}  {revision.path}" for name, revision in REVISIONS.items()))
    else:
        print(format_revisions())
    return EXIT_OK
