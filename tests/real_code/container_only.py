"""A learner's MySequential and nothing else: its container checks run with torch.nn's Linear and ReLU."""

from torch import nn

EXPECTED = {"mysequential.*": "passed", "tiedmysequential.*": "passed", "linear.*": "not provided"}
NOTES = {"mysequential.forward[float32]": "torch.nn's Linear, ReLU"}


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self._modules[str(idx)] = module

    def forward(self, X):
        for block in self._modules.values():
            X = block(X)
        return X

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)
