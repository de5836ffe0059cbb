"""Results and what the user reads: the report, the matrix, header, progress, console output, the
JSON/Markdown reports' metadata."""
