"""The engine every check and front-end shares: the registry of checks, the context a check runs with,
its outcomes, usage errors."""
