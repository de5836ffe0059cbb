"""The structure checks, one test per check id (parametrized by the plugin over the registry)."""

AREA = "structure"


def test_structure(conformance_check, conformance_context):
    conformance_check(conformance_context)
