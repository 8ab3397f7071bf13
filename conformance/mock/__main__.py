"""`python -m conformance.mock`: the same as `conformance mock`."""

import sys

from conformance.mock.command import main

sys.exit(main())
