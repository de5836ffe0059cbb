"""Registers the conformance plugin when running from a checkout (installed, the pytest11 entry point does)."""

pytest_plugins = ["conformance.frontends.plugin"]
