"""A Linear that checks its input with its own assert, as library code often does: on the contract's 1-D and 3-D inputs it raises AssertionError, which is the target's finding, framed as "forward raised AssertionError" with the example and a snippet (never re-raised bare); its structure, loading and 2-D behaviour pass."""

from torch import nn

# Written before running: the contract draws 1-D inputs (leading dims ()) and 3-D ones ((2, 3)).
EXPECTED = {"linear.forward*": "failed", "linear.gradient*": "failed", "linear.gradcheck*": "failed",
            "linear.saveload*": "failed", "linear.structure": "passed", "linear.strict": "passed",
            "linear.bad_input": "passed", "linear.independence*": "passed", "linear.init*": "passed",
            "linear.reproducible": "passed"}
NOTES = {}
REASONS = {"linear.forward[float32]": "forward raised AssertionError: expected a 2-D input",
           "linear.gradient[float64]": "raised AssertionError: expected a 2-D input",
           "linear.saveload[float32]": "raised AssertionError: expected a 2-D input"}
#: Every failure of this target is framed: it names the call, and carries the example and a snippet.
FRAMED = True


class Linear(nn.Linear):
    def forward(self, x):
        assert x.dim() == 2, f"expected a 2-D input (batch, features), got shape {tuple(x.shape)}"
        return super().forward(x)
