"""CLI: ``python -m conformance --impl TARGET [pytest options]`` runs the suite through pytest and
ends with the block x property matrix. Exit status is pytest's (0 all passed, 1 failures, 4 usage)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    import pytest

    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args):
        print(__doc__)
        print("Options: --impl TARGET, --device DEVICE, --check-timeout S, -k EXPR, -n N (pytest-xdist), "
              "--hypothesis-profile {ci,dev,thorough}; any other pytest option is passed through.")
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    plugin = [] if _plugin_autoloaded() else ["-p", "conformance.plugin"]
    quiet = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]  # conformance is imported before pytest starts
    return int(pytest.main([here, "-q", "-p", "no:cacheprovider", "--tb=short", *quiet, *plugin, *args]))


def _plugin_autoloaded() -> bool:
    from importlib.metadata import entry_points

    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(ep.value == "conformance.plugin" for ep in entry_points(group="pytest11"))


if __name__ == "__main__":
    sys.exit(main())
