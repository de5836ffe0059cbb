"""The rest of torch.nn's module protocol (copies, the meta device, factory keywords, forbidden
constructor arguments), one test per check id (parametrized by the plugin over the registry)."""

AREA = "protocol"


def test_protocol(conformance_check, conformance_context):
    conformance_check(conformance_context)
