"""The checks, one module per property area. Each check is a plain function ``(ctx, check, **spec)``."""
