"""A width-scaled Linear in mup's style: its forward divides its input by the width multiplier that `set_base_shapes(model, base)` attaches to its weight, and asserts it was called first. Used without that set-up (as the suite does) every forward raises the target's own AssertionError: the forward checks fail with it, and the init recipes' failure names the call that raised (the next forward after the recipe), not the recipe's apply."""

from torch import nn

# Written before running.
EXPECTED = {"linear.forward[float32]": "failed", "sequential.init[init_normal]": "failed",
            "sequential.init[xavier_42]": "failed", "sequential.apply": "passed", "linear.init[default]": "passed"}
REASONS = {"linear.forward[float32]": "raised AssertionError: call set_base_shapes(model, base) first",
           "sequential.init[init_normal]": "the next forward after the recipe, raised AssertionError: call "
                                           "set_base_shapes(model, base) first",
           "sequential.init[xavier_42]": "the next forward after the recipe, raised AssertionError"}

Sequential, ReLU = nn.Sequential, nn.ReLU


class Linear(nn.Linear):
    def forward(self, x):
        assert hasattr(self.weight, "infshape"), "call set_base_shapes(model, base) first"
        return super().forward(x / self.weight.infshape)


def set_base_shapes(model, base=1):
    """Attach each Linear's width multiplier (its fan-in over the base model's) to its weight."""
    for module in model.modules():
        if isinstance(module, Linear):
            module.weight.infshape = max(module.in_features, 1) / base
    return model
