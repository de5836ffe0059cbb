"""The forward checks, one test per check id (parametrized by the plugin over the registry)."""

AREA = "forward"


def test_forward(conformance_check, conformance_context):
    conformance_check(conformance_context)
