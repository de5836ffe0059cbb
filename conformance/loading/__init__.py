"""The target under test: resolving ``--impl``, calling its constructors as their signatures allow,
composites built from its leaves."""
