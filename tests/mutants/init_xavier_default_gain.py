"""init.xavier_uniform_(t) whose default gain is sqrt(2) (ReLU's recommended gain, taken for the
default): every call that passes its gain is right."""

import types

from torch import nn

CATCHES = ["init.function[xavier_uniform_]"]


def xavier_uniform_(tensor, gain=2**0.5):  # defect: torch.nn.init's gain defaults to 1
    return nn.init.xavier_uniform_(tensor, gain)


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=xavier_uniform_)
