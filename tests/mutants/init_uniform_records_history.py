"""init.uniform_ fills the tensor without torch.no_grad(), as autograd sees it: on a leaf that requires grad
(a Parameter) the in-place write raises."""

import types

from torch import nn

CATCHES = ["init.function[uniform_]"]


def uniform_(tensor, a=0.0, b=1.0):
    return tensor.uniform_(a, b)  # defect: no torch.no_grad()


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=nn.init.xavier_uniform_)
