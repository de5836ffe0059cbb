"""The engine every check and front-end shares: the one registry of checks, the context a check runs
with, its outcomes (failures, not checked, not provided), whose exception is whose (``framing``), and
usage errors."""
