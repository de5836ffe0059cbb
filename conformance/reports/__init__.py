"""Results and what the user reads: the report, the block x property matrix, header, progress,
terminal output, the JSON/Markdown reports' metadata, the combined report of many targets and the
merge of shard reports."""
