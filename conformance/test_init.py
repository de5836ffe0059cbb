"""The init checks (default init, the init namespace, the tutorial's apply recipes, reproducible
construction), one test per check id (parametrized by the plugin over the registry)."""

AREA = "init"


def test_init(conformance_check, conformance_context):
    conformance_check(conformance_context)
