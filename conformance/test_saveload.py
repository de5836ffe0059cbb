"""The saveload checks, one test per check id (parametrized by the plugin over the registry)."""

AREA = "saveload"


def test_saveload(conformance_check, conformance_context):
    conformance_check(conformance_context)
