"""A Linear as a differential-privacy engine instruments it (opacus's style): a forward pre-hook counts the forwards since the last backward in `_forward_counter`, and refuses (raises) when the module's trainable tensors are not nn.Parameters, as per-sample gradients are recorded on Parameters only. torch's stateless API (torch.func.functional_call, which the gradient oracle tries first) swaps plain tensors in, so the hook raises there; on a tied net (one Linear at two places) it also put back the swapped-in tensor in place of the shared layer's Parameter, and the oracle's in-place fallback then failed on a layer the suite had stripped. The block itself is a correct Linear: gradcheck passes on it alone, in a Sequential and in a tied net, and apply visits it."""

from torch import nn

# Written before running.
EXPECTED = {"linear.gradcheck[float64]": "passed", "sequential.gradcheck[float64]": "passed",
            "tiedsequential.gradcheck[float64]": "passed", "tiedsequential.gradient*": "passed",
            "sequential.apply": "passed"}

Sequential, ReLU = nn.Sequential, nn.ReLU


class Linear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__(in_features, out_features, bias=bias)
        self._forward_counter = 0
        self.register_forward_pre_hook(Linear._count_forward)

    @staticmethod
    def _count_forward(module, args):
        plain = [name for name, p in module._parameters.items() if p is not None and not isinstance(p, nn.Parameter)]
        if plain:
            raise RuntimeError(f"{type(module).__name__} (_forward_counter={module._forward_counter}): per-sample "
                               f"gradients are recorded on nn.Parameter tensors only, not on {plain}")
        module._forward_counter += 1
