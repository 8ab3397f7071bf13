import sys

from conformance.sdk.gate import run

sys.exit(run())
