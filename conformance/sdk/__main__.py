"""`python -m conformance.sdk ...` is `conformance sdk ...`."""

import sys

from conformance.launch import entry

sys.argv[1:1] = ["sdk"]
entry()
