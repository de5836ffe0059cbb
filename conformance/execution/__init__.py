"""The one path from a target to a verdict: ``execution.engine`` runs a selection of checks on a
loaded target and yields one Result per check (expected failures applied, *not provided* and *not
checked* decided). Every front-end goes through it, unchanged wherever the checks run: in the
caller's process (``conformance.run``), in an isolated child (``sandbox.isolation``), in a child
forked per target (``sandbox.forked``, batch runs) and in a pytest(-xdist) process (the plugin and
``parametrize_with_checks``, which re-raise what it caught so pytest reports it as it always has).

Layering: execution sits above the checks (through ``core.registry``) and the results
(``reports.report``), below the sandboxes that wrap it and the front-ends that call it; it imports
from neither (``tests/test_layers.py``)."""
