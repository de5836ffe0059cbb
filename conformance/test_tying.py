"""The tying checks, one test per check id (parametrized by the plugin over the registry)."""

AREA = "tying"


def test_tying(conformance_check, conformance_context):
    conformance_check(conformance_context)
