"""The gradient checks, one test per check id (parametrized by the plugin over the registry)."""

AREA = "gradient"


def test_gradient(conformance_check, conformance_context):
    conformance_check(conformance_context)
