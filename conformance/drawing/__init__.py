"""The drawing of examples: arrays, Hypothesis strategies, replayable examples, the blocks of the
contract and how their arguments are drawn, the profiles."""
