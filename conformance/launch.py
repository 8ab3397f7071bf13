"""The console script's first lines: signals become a flag before anything heavy is imported.

A Ctrl-C or SIGTERM during start-up (imports take most of a second) is then honoured like one at
any other moment, instead of ending in a traceback or in exit -15.
"""

from conformance import interrupts, startup

interrupts.install()
startup.collector_off()  # until the suite is collected (or the command is known not to run one): conformance.startup
startup.settings_without_pydantic()


def entry() -> None:
    from conformance.cli import entry as run

    run()
