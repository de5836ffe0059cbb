"""What keeps a target from silencing, ending or hanging a run: exits refused, per-call time limits
and the memory cap, checks in an isolated child (``isolation``) or a child forked per target
(``forked``, batch runs)."""
