"""`python -m conformance.sdk ...` is `conformance sdk ...`."""

import sys

from conformance.cli import main

sys.exit(main(["sdk", *sys.argv[1:]]))
