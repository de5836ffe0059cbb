"""The lifecycle checks, one test per check id (parametrized by the plugin over the registry)."""

AREA = "lifecycle"


def test_lifecycle(conformance_check, conformance_context):
    conformance_check(conformance_context)
