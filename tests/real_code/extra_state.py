"""A Linear that keeps a config in its state_dict through get_extra_state: structure fails, naming the non-tensor entry; its behaviour is judged as usual."""

from torch import nn

EXPECTED = {"linear.structure": "failed", "linear.forward*": "passed", "linear.gradient*": "passed",
            "linear.saveload*": "passed", "linear.strict": "passed"}
NOTES = {}
REASONS = {"linear.structure": "non-tensor entry `_extra_state` of type dict"}


class Linear(nn.Linear):
    def get_extra_state(self):
        return {"version": 2}

    def set_extra_state(self, state):
        self.version = state["version"]
