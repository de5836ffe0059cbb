"""What keeps a target from silencing, ending or hanging a run: exits refused, per-call time limits,
checks in a child process."""
