"""torch's own nn.Sequential over Linears whose weight carries an identity parametrization
(torch.nn.utils.parametrize): the container behaves as the spec's; its leaves' weights live under
`parametrizations.weight.original` (structure names the parametrization, --unwrap accepts), and a
computed weight has no Parameter for indexing to reach (access judges the plain tensors only)."""

from torch import nn
from torch.nn.utils import parametrize

EXPECTED = {"sequential.structure": "failed", "sequential.container": "not checked", "sequential.access": "passed",
            "tiedsequential.structure": "failed", "tiedsequential.tying*": "not checked"}
UNWRAPPED = {"sequential.structure": "passed", "sequential.container": "passed", "sequential.access": "passed",
             "tiedsequential.structure": "passed", "tiedsequential.tying*": "not checked"}
NOTES = {"sequential.access": "not judged on tensors computed from others"}
REASONS = {"sequential.container": "lists its leaves under a wrapper's names",
           "tiedsequential.tying[float32]": "listed under a wrapper's names"}


class Same(nn.Module):
    def forward(self, w):
        return w


def Linear(in_features, out_features, bias=True):
    layer = nn.Linear(in_features, out_features, bias=bias)
    parametrize.register_parametrization(layer, "weight", Same())
    return layer


Sequential = nn.Sequential
ReLU = nn.ReLU
