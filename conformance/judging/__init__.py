"""How a value is judged: the bridge to the NumPy reference, the tolerance policy, the statistical test
of the init checks."""
