"""CLI: ``python -m conformance --impl TARGET [pytest options]`` runs the suite through pytest: a
header (target, versions, profile, seed), progress per check (a bar on a terminal, a line per check
in a log; none when ``CI`` is set or under ``-q``), each failure as the suite words it, and the block x
property matrix with the failing ids. Exit status is pytest's (0 all passed, 1 failures, 4 usage).

Several targets (``--impl A --impl B``, a glob, a directory of .py files) are checked in one run, each
in a process of its own; ``--shard K/N`` runs the K-th of N parts; ``python -m conformance merge
shard*.json --report all.json --report-md all.md`` joins the parts' reports.

The checks run in a pytest-xdist worker (``-n 1`` unless ``-n`` is given), so a target that ends the
process (even with status 0), is killed or hangs where no signal reaches fails the check it was
running instead of ending the run, green or not; ``--memory-limit`` caps each worker's memory."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    import pytest

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["merge"]:  # python -m conformance merge shard*.json --report all.json
        from conformance.frontends.merge import main as merge

        return merge(args[1:])
    if any(a in ("-h", "--help") for a in args):
        print(__doc__)
        print("Options: --impl TARGET, --spec FILE (blocks of your own: docs/adding_a_block.md), "
              "--device DEVICE, --expected FILE, --report FILE.json, --report-md FILE.md, "
              "--shard K/N, --check-timeout S, --memory-limit GiB, --unwrap, -k EXPR, -n N (pytest-xdist; default 1), "
              "--hypothesis-profile {ci,dev,thorough}, "
              "--hypothesis-seed N, --progress {auto,bar,lines,off}, -q, --full-trace; any other pytest option "
              "is passed through.")
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    plugin = [] if _plugin_autoloaded() else ["-p", "conformance.frontends.plugin"]
    quiet = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]  # conformance is imported before pytest starts
    # The console prints the header and progress; pytest's dots, [ 42%] and short summary (the
    # matrix lists the failures) are left out.
    own = ["-q", "-p", "no:cacheprovider", "--conformance-cli", "-rN", "-o", "console_output_style=classic"]
    return int(pytest.main([here, *own, *quiet, *plugin, *args]))  # the plugin runs the checks in one worker


def _plugin_autoloaded() -> bool:
    from importlib.metadata import entry_points

    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(ep.value == "conformance.frontends.plugin" for ep in entry_points(group="pytest11"))


if __name__ == "__main__":
    sys.exit(main())
