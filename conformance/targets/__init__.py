"""Built-in targets: ``torch`` (torch.nn plus correct tutorial blocks)."""
