"""init.normal_(t, mean, std) takes its std argument for the variance (draws with standard deviation sqrt(std))."""

import math
import types

import torch
from torch import nn

CATCHES = ["init.function[normal_]"]


def normal_(tensor, mean=0.0, std=1.0):
    with torch.no_grad():
        return tensor.normal_(mean, math.sqrt(std))  # defect: std read as a variance


init = types.SimpleNamespace(normal_=normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=nn.init.xavier_uniform_)
