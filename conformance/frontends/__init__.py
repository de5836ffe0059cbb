"""The front-ends over the one registry: the pytest plugin (and its batch mode), the Python API
(``run``, ``run_many``), ``parametrize_with_checks``, shards, selection by id and the
expected-failures file. The CLI is ``conformance/__main__.py``."""
