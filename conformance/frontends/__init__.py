"""The front-ends over the one registry: the pytest plugin, the Python API,
``parametrize_with_checks``, selection and the expected-failures file."""
