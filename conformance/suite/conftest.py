# The suite's plugin lives in the package so that both `conformance run` and a plain
# `pytest conformance/suite --base-url=...` load the same options, fixtures and hooks
# (a conftest below the rootdir may not use pytest_plugins, so it takes them in by name).
from conformance.plugin import *  # noqa: F401,F403
