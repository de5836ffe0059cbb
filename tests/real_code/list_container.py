"""A Sequential that keeps its blocks in a plain Python list: nothing is registered, so .double() never reaches its Linear and state_dict() is empty; forward[float64] and gradcheck must not pass on ReLU-only chains. Its empty state dict loses the Linears' weights on a save/load round trip: the loaded clone computes otherwise (saveload judges that whatever the layout); in float64 its forward raises (.double() missed the Linears), which the forward check cannot judge either. apply(fn) never reaches the blocks: the init recipes reach no Linear, and say so in those terms."""

from torch import nn

EXPECTED = {
    "sequential.structure": "failed",
    "sequential.forward[float64]": "not checked",
    "sequential.gradcheck[float64]": "not checked",
    "sequential.saveload[float32]": "failed",
    "sequential.saveload[float64]": "not checked",
    "sequential.init[init_normal]": "failed",
    "sequential.apply": "failed",
    "sequential.strict": "not checked",
}
REASONS = {"sequential.forward[float64]": "see sequential.structure",
           "sequential.saveload[float32]": "the loaded clone's output is not bit-identical",
           "sequential.init[init_normal]": "apply(init_normal) reached no Linear: the container registers no children",
           "sequential.apply": "apply never called fn on"}


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        self.blocks = list(blocks)  # a plain list: not registered as children

    def forward(self, X):
        for block in self.blocks:
            X = block(X)
        return X

    def __getitem__(self, i):
        return self.blocks[i]

    def __len__(self):
        return len(self.blocks)
