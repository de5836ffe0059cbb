"""The target under test: resolving ``--impl``, calling its constructors as their signatures allow,
composites built from its leaves, and the wrappers it may come in (compiled, scripted, parametrized,
pruned, a library's) recognised and named."""
