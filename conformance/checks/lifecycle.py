"""A block's whole life, as a Hypothesis state machine (``hypothesis.stateful``): the operations
training and inference code performs on a module, in any order, with the spec's invariants checked
after every one. A failure is shrunk to the shortest sequence of operations that shows it, printed
as a runnable program.

The machine holds the target block, the float64 reference (re-synchronised from the block's
parameters after every checked operation: errors never accumulate over steps), the optimizer
(``torch.optim.SGD`` over ``block.parameters()``, created once), and everything handed out so far
(inputs, outputs, gradients). What each operation must do, and the rest of the ``nn.Module``
protocol this covers or leaves out, is in ``docs/lifecycle.md``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np
import torch
from hypothesis import assume, reject
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import reference as R
from conformance.checks.common import (
    Runner,
    agrees,
    assume_representable,
    bit_identical,
    check_output,
    declaration_faults,
    draw_example,
)
from conformance.checks.persistence import round_trip, save_load_code
from conformance.core.context import CheckContext
from conformance.core.registry import DTYPES, Check
from conformance.drawing.blocks import BlockSpec
from conformance.drawing.examples import TORCH_DTYPES, ArraySpec, is_lazy, seeded, sized
from conformance.drawing.strategies import derive_seed
from conformance.judging.bridge import loaded_reference, spec_tensors, to_numpy
from conformance.judging.tolerance import compare, overflow_limit
from conformance.loading.wrappers import computed
from reference.bounds import gamma

#: How many lives one check draws, per example of the profile (a life runs many operations).
EXAMPLES_PER_LIFE = 4
LR = 0.125  # a power of two: lr * b adds no rounding
#: (momentum, weight_decay) of the one optimizer of a life
OPTIMIZERS = st.sampled_from([(0.0, 0.0), (0.5, 0.0), (0.0, 0.0625), (0.5, 0.0625)])
SEED = st.integers(0, 3)  # few values: inputs repeat, so caches show
MODES = {"grad": "", "no_grad": "torch.no_grad()", "inference_mode": "torch.inference_mode()"}


@dataclass
class Expected:
    """What a tensor must hold: NumPy values (None: the tensor must be None) and the error bound."""

    value: np.ndarray | None
    bound: Any = 0.0

    def plus(self, value: np.ndarray, bound: np.ndarray, prec) -> "Expected":
        """After autograd adds ``value`` (within ``bound``) into this gradient."""
        if self.value is None:
            return Expected(value.copy(), bound)
        total = self.value + value
        prec = prec.elementwise()
        return Expected(total, self.bound + bound + prec.u * np.abs(total) + prec.tiny)


@dataclass
class Graph:
    """A forward run with grad: its output (for backward), its input and the input's expected grad."""

    name: str                      # "y3": the output's name in the program
    y: torch.Tensor
    x: torch.Tensor
    x_name: str
    live: bool = True              # no parameter changed since: backward may run on it
    x_grad: Expected = field(default_factory=lambda: Expected(None))


def check_lifecycle(ctx: CheckContext, check: Check, *, spec: BlockSpec, dtype: str) -> None:
    from hypothesis.stateful import get_state_machine_test

    lives = max(2, ctx.check_settings().max_examples // EXAMPLES_PER_LIFE)
    chosen = ctx.check_settings(max_examples=lives)  # each of stateful_step_count operations
    # the device move is a rule only where there is a second device: elsewhere the lives drawn are
    # those of the other rules alone (a rule that never applies would still shift Hypothesis's choices)
    base = DeviceMoves if second_device(ctx.device) is not None else BlockLife
    machine = type("BlockLife", (base,), {"ctx": ctx, "check": check, "spec": spec, "start_dtype": dtype})
    ctx.prepared(get_state_machine_test(machine, settings=chosen))()


class BlockLife(RuleBasedStateMachine):
    """The operations (rules) and what must hold after each (invariants). Subclassed per check with
    ``ctx``, ``check``, ``spec`` and ``start_dtype``."""

    ctx: CheckContext
    check: Check
    spec: BlockSpec
    start_dtype: str

    def __init__(self) -> None:
        super().__init__()
        self.block: Any = None
        self.program: list[str] = []           # the operations so far, as Python
        self.handed_out: list[tuple[str, torch.Tensor, torch.Tensor]] = []  # (name, tensor, its values then)
        self.graphs: list[Graph] = []
        self.count = 0                         # inputs drawn so far (they are named x1, x2, ...)
        self.operations = 0

    # -- set up: one block, its reference, one optimizer -------------------------------------------
    @initialize(data=st.data(), optimizer=OPTIMIZERS)
    def build(self, data: st.DataObject, optimizer: tuple[float, float]) -> None:
        drawn = draw_example(data, self.ctx, self.spec, self.start_dtype, plain=True, leading=small_leading(self.spec))
        # A life of a block without state (a chain of ReLUs) exercises nothing the lifecycle judges.
        assume(not self.spec.stateful or bool(self.spec.reference(drawn.args).state_dict()))
        self.shape = drawn.example.x.shape if drawn.example.x is not None else ()
        self.high = drawn.example.x.high if drawn.example.x is not None else None  # indices into a table
        self.run = Runner(self.ctx, self.check, self.spec, drawn)
        self.block = self.run.build()
        wrapped = computed(self.block)
        if wrapped:
            self.run.cannot_judge(f"the block's tensors are computed from other tensors ({wrapped}): an optimizer "
                                  "step or a write on its stored parameters does not act on the spec's tensors "
                                  "directly, as the lifecycle's reference steps them", "")
        self.ref, tensors = self.run.reference(self.block)  # (on the drawn input, where a pre-hook computes them)
        self.example = drawn.example = replace(self.run.example, x=None)  # the program draws its own inputs
        self.dtype = self.start_dtype
        self.device = self.ctx.device  # where the block is now (``to_other_device`` moves it)
        if second_device(self.ctx.device) is None:
            self.ctx.note(f"no device move mid-life: {NO_SECOND_DEVICE}")
        self.param_names = [n for n in self.ref.grad_dict()]         # every name of every parameter
        for name, t in tensors.items():  # .to(dtype) missed it: the structure or buffers check's finding
            if t.dtype != TORCH_DTYPES[self.dtype]:
                buffer = self.spec.has_buffers and name in self.ref.buffers_named()
                self.run.cannot_judge(f"{name!r} is {t.dtype} after block.to(dtype=torch.{self.dtype})",
                                      f"{self.spec.key}.{'buffers' if buffer else 'structure'}")
        self.state = {n: Expected(to_numpy(t)) for n, t in tensors.items()}
        self.grads = {n: Expected(None) for n in self.param_names}
        self.params = list(self.run.call("parameters()", lambda: list(self.block.parameters())))
        registered = {id(p) for p in self.params}
        plain = [name for name in self.param_names if id(tensors[name]) not in registered]
        if plain:  # e.g. ``self.weight = torch.randn(..., requires_grad=True)``: the structure check's failure
            one = len(plain) == 1
            names = ", ".join(map(repr, plain))
            self.run.cannot_judge(f"{names} {'is not a Parameter' if one else 'are not Parameters'} of the block "
                                  "(not in block.parameters()): nothing records "
                                  f"{'its' if one else 'their'} gradient for an optimizer over block.parameters(), "
                                  f"and .to()/.double() do not convert {'it' if one else 'them'}",
                                  self.run.structure_id)
        self.training = True
        self.momentum, self.decay = optimizer
        self.opt = None
        self.say("import io", save_load_code(self.ctx))
        if self.params:
            self.opt = torch.optim.SGD(self.params, lr=LR, momentum=self.momentum, weight_decay=self.decay)
            self.say(f"opt = torch.optim.SGD(block.parameters(), lr={LR}, momentum={self.momentum}, "
                     f"weight_decay={self.decay})")
        # Every life opens with a forward in eval mode, grad on (a block that turns autograd off, or
        # computes otherwise, in eval mode is an edge no profile may leave to the draw), back to train.
        self.set_mode("eval()")
        self.call(requires_grad=False, seed=drawn.example.seed)
        self.set_mode("train()")
        for graph in self.graphs:  # (its graph is not one to run a backward through: the rules a life
            graph.live = False     # draws stay those the draw would give without the opening)

    # -- helpers -----------------------------------------------------------------------------------
    def say(self, *lines: str) -> None:
        self.program.extend(lines)

    def operation(self, *lines: str) -> None:
        """One more operation, performed by ``lines`` of the program."""
        self.operations += 1
        self.run.drawn.example = self.example.with_extra(
            operations=f"{self.operations} (optimizer: SGD lr={LR}, momentum={self.momentum}, "
                       f"weight_decay={self.decay}; the program below)")
        self.say(*lines)

    def fail(self, problem: str, detail: str = "", show: str = "", fact: str = "") -> AssertionError:
        body = "\n".join(self.program + ([show] if show else []))
        return self.run.failure(f"{problem} (after {self.operations} operations)", detail, body=body, fact=fact)

    def invoke(self, what: str, fn: Callable[[], Any]) -> Any:
        return self.run.call(what, fn, body="\n".join(self.program))

    def prec(self):
        return self.ctx.precision(self.check.id, self.dtype, self.device)

    def tensors(self) -> dict[str, torch.Tensor]:
        """The block's tensors now, under the spec's names."""
        try:
            return spec_tensors(self.block, self.ref)
        except Exception as exc:  # noqa: BLE001 - the layout changed during the life
            raise self.fail("the block's parameters no longer match the spec's layout",
                            f"{type(exc).__name__}: {exc}", "print(block.state_dict().keys())") from None

    def reference(self):
        """The reference, carrying the block's parameter values now."""
        return loaded_reference(self.ref, self.block)[0]

    def expected(self, x: torch.Tensor, gy: torch.Tensor | None, prec) -> dict:
        """The reference's results and bounds on the block's parameters now. A life whose exact
        values come near overflow in the block's *current* dtype is discarded (``Runner.expected``
        judges by the dtype the life started in)."""
        try:
            with declaration_faults(self.spec):
                out = R.run_forward_backward(self.reference(), to_numpy(x), None if gy is None else to_numpy(gy),
                                             prec=prec)
        except (R.NonFiniteNorm, ValueError, FloatingPointError) as exc:
            if not isinstance(exc, R.NonFiniteNorm):
                self.ctx.refused(f"{type(exc).__name__}: {exc}")
            reject()
        assume_representable(self.dtype, out)
        return out

    def new_input(self, seed: int, requires_grad: bool) -> tuple[str, torch.Tensor]:
        self.count += 1
        spec = ArraySpec(self.shape, derive_seed(self.run.example.seed, 10 + seed), high=self.high)
        requires_grad = requires_grad and self.high is None  # indices have no gradient
        name = f"x{self.count}"
        self.say(f"{name} = {spec.code(self.dtype, self.device)}" + (".requires_grad_()" if requires_grad else ""))
        return name, spec.tensor(self.dtype, self.device).requires_grad_(requires_grad)

    def keep(self, name: str, t: torch.Tensor) -> None:
        """Remember a tensor handed out, and its values now: later operations must not change them."""
        self.handed_out.append((name, t, t.detach().clone()))

    def changed_parameters(self) -> None:
        for graph in self.graphs:
            graph.live = False

    # -- rules: the operations ---------------------------------------------------------------------
    @rule(requires_grad=st.booleans(), seed=SEED)
    def call(self, requires_grad: bool, seed: int) -> None:
        """``block(x)`` with grad, on an input that requires grad or not (as a network's first layer
        gets): see ``run_forward``."""
        self.run_forward("grad", requires_grad, seed)

    @rule(mode=st.sampled_from(["no_grad", "inference_mode"]), requires_grad=st.booleans(), seed=SEED)
    def call_without_grad(self, mode: str, requires_grad: bool, seed: int) -> None:
        """``block(x)`` under ``torch.no_grad()`` or ``torch.inference_mode()``: see ``run_forward``."""
        self.run_forward(mode, requires_grad, seed)

    def run_forward(self, mode: str, requires_grad: bool, seed: int) -> None:
        """The reference's output on the block's parameters now, in the block's dtype; requiring grad
        exactly when autograd can reach the input or a parameter."""
        x_name, x = self.new_input(seed, requires_grad)
        name = f"y{self.count}"
        manager = MODES[mode]
        self.operation(f"with {manager}:\n    {name} = block({x_name})" if manager else f"{name} = block({x_name})")
        expected = self.expected(x.detach(), None, self.prec())
        self.keep(x_name, x)
        with (getattr(torch, mode)() if manager else torch.enable_grad()):
            y = self.invoke(f"forward ({mode})", lambda: self.block(x))
            if isinstance(y, torch.Tensor):
                self.keep(name, y)
        show = f"print({name})\nfrom conformance.judging.bridge import reference_forward\n" \
               f"print(reference_forward({self.spec.key!r}, {self.run.drawn.args!r}, block, {x_name}))"
        if not isinstance(y, torch.Tensor):
            raise self.fail(f"forward ({mode}) returned a {type(y).__name__}, not a torch.Tensor")
        check_output(self.run, f"the output {name} ({mode}, after {self.operations} operations)", y,
                     expected["y"], expected["ey"], x, "\n".join(self.program) + "\n" + show,
                     dtype=TORCH_DTYPES[self.dtype])
        wants_grad = mode == "grad" and (requires_grad or bool(self.param_names) and self.params_require_grad())
        if y is x:  # an identity (the empty Sequential) hands back its input as it is
            wants_grad = requires_grad
        if y.requires_grad != wants_grad:
            where = "with grad enabled" if mode == "grad" else f"under torch.{mode}()"
            raise self.fail(f"{name}.requires_grad is {y.requires_grad} after a forward {where} on an input with "
                            f"requires_grad={requires_grad} (expected {wants_grad})",
                            show=f"print({name}.requires_grad)")
        if wants_grad:
            self.graphs.append(Graph(name, y, x, x_name))

    @rule(requires_grad=st.booleans(), seed=SEED)
    def backward(self, requires_grad: bool, seed: int) -> None:
        """A forward with grad (``call``), then ``y.backward(gy, retain_graph=True)``: see
        ``run_backward``."""
        self.run_forward("grad", requires_grad or not self.param_names, seed)
        self.run_backward(self.graphs[-1], seed)

    @precondition(lambda self: any(g.live for g in self.graphs))
    @rule(seed=SEED)
    def backward_again(self, seed: int) -> None:
        """``y.backward(gy, retain_graph=True)`` once more on the latest output whose graph is still
        valid (no parameter changed since its forward): see ``run_backward``."""
        self.run_backward([g for g in self.graphs if g.live][-1], seed)

    def run_backward(self, graph: Graph, seed: int) -> None:
        """Every parameter's ``.grad`` (and the input's) gains the reference's gradient for ``gy``;
        nothing is zeroed."""
        spec = ArraySpec(tuple(graph.y.shape), derive_seed(self.run.example.seed, 100 + seed))
        gy = spec.tensor(self.dtype, self.device)
        self.operation(f"{graph.name}.backward({spec.code(self.dtype, self.device)}, retain_graph=True)")
        prec = self.prec()
        expected = self.expected(graph.x.detach(), gy, prec)
        self.invoke("backward", lambda: graph.y.backward(gy, retain_graph=True))
        if graph.x.requires_grad:
            graph.x_grad = graph.x_grad.plus(expected["gx"], expected["egx"], prec)
        for name in self.param_names:
            self.grads[name] = self.grads[name].plus(expected["grads"][name], expected["grad_errors"][name], prec)

    @rule(set_to_none=st.booleans())
    def zero_grad(self, set_to_none: bool) -> None:
        """``block.zero_grad(set_to_none=...)``: every ``.grad`` None, or zeros where there was one."""
        self.operation(f"block.zero_grad(set_to_none={set_to_none})")
        self.invoke("zero_grad", lambda: self.block.zero_grad(set_to_none=set_to_none))
        for name, grad in self.grads.items():
            keep = not set_to_none and grad.value is not None
            self.grads[name] = Expected(np.zeros_like(grad.value) if keep else None)

    @precondition(lambda self: self.opt is not None)
    @rule()
    def step(self) -> None:
        """``opt.step()``: each parameter with a gradient moves as SGD says (in float64 from its
        values, the reference's gradient and torch's momentum buffer), within one step's rounding."""
        assert self.opt is not None
        self.operation("opt.step()")
        prec, tensors = self.prec().elementwise(), self.tensors()
        moved: dict[int, Expected] = {}
        for name in self.param_names:
            p, grad = tensors[name], self.grads[name]
            if id(p) in moved or grad.value is None:
                continue
            p0 = self.state[name].value
            assert p0 is not None  # parameters always hold values
            buffer = self.opt.state.get(p, {}).get("momentum_buffer")
            b0 = to_numpy(buffer) if buffer is not None and self.momentum else None
            # a buffer kept from before .float()/.double() rounds in its own dtype
            rounding = prec if b0 is None else max(
                prec, self.ctx.precision(self.check.id, str(buffer.dtype)[6:]).elementwise(), key=lambda q: q.u)
            d = grad.value + self.decay * p0
            b = d if b0 is None else self.momentum * b0 + d
            size = np.abs(p0) + LR * (np.abs(grad.value) + self.decay * np.abs(p0)
                                      + (0 if b0 is None else self.momentum * np.abs(b0)))
            # the spec says nothing of overflow: a step that comes near it ends the life unjudged
            assume(float(np.max(size, initial=0.0)) < overflow_limit(TORCH_DTYPES[self.dtype]))
            moved[id(p)] = Expected(p0 - LR * b, LR * grad.bound + gamma(6, rounding) * size + 2 * rounding.tiny)
        self.invoke("opt.step()", self.opt.step)
        for name in self.param_names:
            if id(tensors[name]) in moved:
                self.state[name] = moved[id(tensors[name])]
        if moved:  # SGD skips parameters without a gradient
            self.changed_parameters()

    @precondition(lambda self: self.opt is not None)
    @rule(how=st.sampled_from(["p.data = v", "p.data[...] = v", "p.copy_(v)"]), seed=SEED)
    def write(self, how: str, seed: int) -> None:
        """New values written into every parameter of ``block.parameters()`` as people do: through
        ``.data`` (replacing it, or writing into it) or ``copy_`` under ``torch.no_grad()``."""
        base = derive_seed(self.run.example.seed, 1000 + seed)
        line = "with torch.no_grad():\n        p.copy_(v)" if how == "p.copy_(v)" else how
        self.operation(f"for i, p in enumerate(block.parameters()):\n"
                 f"    v = ArraySpec(tuple(p.shape), {base} + i).tensor({self.dtype!r}, {self.device!r})\n"
                 f"    {line}")
        names: dict[int, list[str]] = {}
        for name, t in self.tensors().items():
            names.setdefault(id(t), []).append(name)
        for i, p in enumerate(self.invoke("parameters()", lambda: list(self.block.parameters()))):
            v = ArraySpec(tuple(p.shape), base + i).tensor(self.dtype, self.device)
            with torch.no_grad():
                if how == "p.data = v":
                    p.data = v
                elif how == "p.data[...] = v":
                    p.data[...] = v
                else:
                    p.copy_(v)
            for name in names.get(id(p), []):
                self.state[name] = Expected(to_numpy(v))
        self.changed_parameters()

    @rule(into=st.sampled_from(["block", "a fresh block"]), seed=SEED)
    def save_and_load(self, into: str, seed: int) -> None:
        """``state_dict()`` through the target's save/load, then ``load_state_dict`` into the block
        (its values unchanged, its parameters the same objects) or into a fresh block, which then
        computes what the block does."""
        self.operation("f = io.BytesIO(); save(block.state_dict(), f); f.seek(0)")
        state = self.invoke("state_dict()", lambda: self.block.state_dict())
        loaded = self.invoke("save/load of state_dict()", lambda: round_trip(self.ctx, state, to_file=False))
        if into == "block":
            self.say("block.load_state_dict(load(f))")
            self.invoke("load_state_dict", lambda: self.block.load_state_dict(loaded))
            self.changed_parameters()
            return
        example = self.run.example
        code = f"{example.code}.to(device={self.device!r}, dtype=torch.{self.dtype})"
        fresh_seed = derive_seed(example.seed, 1 + seed)
        self.say(f"torch.manual_seed({fresh_seed})", f"fresh = {code}")
        with seeded(fresh_seed, self.device):
            fresh = self.invoke(f"constructing {example.code}", lambda: example.construct(self.ctx.target))
            fresh = self.invoke(".to()", lambda: fresh.to(device=self.device, dtype=TORCH_DTYPES[self.dtype]))
            width = example.width
            if width is not None and is_lazy(fresh):
                self.say(f"fresh(torch.zeros(1, {width}, dtype=torch.{self.dtype}, "
                         f"device={self.device!r}))  # sizes the lazy block")
                self.invoke("sizing the lazy block",
                            lambda: sized(fresh, width, TORCH_DTYPES[self.dtype], self.device))
        self.say("fresh.load_state_dict(load(f))")
        self.invoke("load_state_dict into a fresh block", lambda: fresh.load_state_dict(loaded))
        x_name, x = self.new_input(seed, False)
        self.say(f"print(fresh({x_name}) - block({x_name}))")
        expected = self.expected(x, None, self.prec())
        with torch.no_grad():
            y = self.invoke("forward of the fresh block", lambda: fresh(x))
        # A fresh block loaded with the state dict computing otherwise is the saveload check's
        # finding (that check fails too, or the run says this one wrongly blamed it).
        if not agrees(y, expected):
            self.run.cannot_judge("a fresh block loaded with the block's state_dict() computes otherwise",
                                  f"{self.spec.key}.saveload[{saveload_variant(self.start_dtype)}]")

    @rule()
    def to_other_dtype(self) -> None:
        """``block.double()`` on a float32 block, ``block.float()`` on a float64 or half-precision one:
        returns the block; every parameter and gradient converted in place (the same objects), values
        rounded to the new dtype."""
        dtype = "float64" if self.dtype == "float32" else "float32"
        limit = overflow_limit(TORCH_DTYPES[dtype])  # overflow in the new dtype: not judged
        assume(all(float(np.max(np.abs(e.value), initial=0.0)) < limit
                   for e in [*self.state.values(), *self.grads.values()] if e.value is not None))
        method = "double" if dtype == "float64" else "float"
        self.operation(f"block.{method}()")
        out = self.invoke(f"block.{method}()", lambda: getattr(self.block, method)())
        if out is not self.block:
            raise self.fail(f"block.{method}() did not return the block itself",
                            show=f"print(block.{method}() is block)")
        self.dtype = dtype
        rounding = TORCH_DTYPES[dtype]
        for name, value in self.state.items():
            if value.value is not None:
                self.state[name] = Expected(rounded(value.value, rounding), 0.0)
        prec = self.prec()
        for name, grad in self.grads.items():
            if grad.value is not None:
                widened = grad.bound + prec.u * (np.abs(grad.value) + grad.bound) + prec.tiny
                self.grads[name] = Expected(grad.value, widened)
        self.changed_parameters()

    @rule(how=st.sampled_from(["train()", "train(False)", "eval()"]))
    def set_mode(self, how: str) -> None:
        """``train()``, ``train(False)``, ``eval()``: return the block; set ``training`` everywhere."""
        self.operation(f"block.{how}")
        calls = {"train()": lambda: self.block.train(), "train(False)": lambda: self.block.train(False),
                 "eval()": lambda: self.block.eval()}
        out = self.invoke(f"block.{how}", calls[how])
        if out is not self.block:
            raise self.fail(f"block.{how} did not return the block itself", show=f"print(block.{how} is block)")
        self.training = how == "train()"

    # -- invariants: what holds after every operation ----------------------------------------------
    @invariant()
    def parameters_are_the_optimizers(self) -> None:
        """``block.parameters()`` lists the very objects the optimizer was given, in order."""
        now = self.invoke("parameters()", lambda: list(self.block.parameters()))
        if len(now) != len(self.params) or any(a is not b for a, b in zip(now, self.params, strict=False)):
            raise self.fail("block.parameters() are no longer the objects the optimizer was given",
                            f"{len(self.params)} parameters then, {len(now)} now; the same objects: "
                            f"{[a is b for a, b in zip(now, self.params, strict=False)]}",
                            "print([p is q for p, q in zip(block.parameters(), opt.param_groups[0]['params'])])")

    @invariant()
    def state_as_expected(self) -> None:
        """Every parameter and buffer holds what the operations put there, in the block's dtype; the
        reference is then re-synchronised from these values."""
        tensors = self.tensors()
        for name, expected in self.state.items():
            t = tensors[name]
            if t.dtype != TORCH_DTYPES[self.dtype]:
                if self.spec.has_buffers and name in self.ref.buffers_named():  # the buffers check's finding
                    self.run.cannot_judge(f"{name!r} is {t.dtype} after block.{self.program[-1].split('.')[-1]}",
                                          f"{self.spec.key}.buffers")
                raise self.fail(f"{name!r} is {t.dtype}, not the block's dtype {self.dtype}",
                                show=f"print(block.state_dict()[{name!r}].dtype)")
            assert expected.value is not None
            mismatch = compare(to_numpy(t), expected.value, expected.bound)
            if mismatch is not None:
                raise self.fail(f"{name!r} does not hold what the operations put there", mismatch.describe(),
                                f"print(block.state_dict()[{name!r}])", fact=mismatch.fact())
        self.state = {name: Expected(to_numpy(t)) for name, t in tensors.items()}

    @invariant()
    def gradients_as_expected(self) -> None:
        """Every parameter's ``.grad`` (and every input's) is the sum of the reference's gradients of
        the backward calls since it was last zeroed, or None where the operations leave None."""
        tensors = self.tensors()
        for name, expected in self.grads.items():
            self.compare_grad(f"the gradient of {name!r}", tensors[name].grad, expected,
                              f"print(block.state_dict(keep_vars=True)[{name!r}].grad)")
        for graph in self.graphs:
            if graph.x.requires_grad:
                self.compare_grad(f"{graph.x_name}.grad", graph.x.grad, graph.x_grad, f"print({graph.x_name}.grad)")

    def compare_grad(self, what: str, grad: torch.Tensor | None, expected: Expected, show: str) -> None:
        if expected.value is None or grad is None:
            if (expected.value is None) != (grad is None):
                raise self.fail(f"{what} is {'None' if grad is None else 'set'}, expected "
                                f"{'None' if expected.value is None else 'a gradient'}", show=show)
            return
        if tuple(grad.shape) != expected.value.shape:
            raise self.fail(f"{what} has shape {tuple(grad.shape)}, expected {expected.value.shape}", show=show)
        mismatch = compare(to_numpy(grad), expected.value, expected.bound)
        if mismatch is not None:
            raise self.fail(f"{what} differs from the reference's accumulated gradient beyond the bound",
                            mismatch.describe(), show, fact=mismatch.fact())

    @invariant()
    def handed_out_unchanged(self) -> None:
        """Every input given and output handed out holds the values it had then."""
        for name, t, then in self.handed_out:
            if not bit_identical(t, then):
                raise self.fail(f"{name} changed after it was handed out", show=f"print({name})")

    @invariant()
    def modes_as_set(self) -> None:
        """``training`` of the block and every submodule is what ``train()``/``eval()`` set; every
        parameter still requires grad."""
        wrong = [n or "block" for n, m in self.block.named_modules() if m.training != self.training]
        if wrong:
            raise self.fail(f"training is not {self.training} in {wrong}",
                            show="print([(n, m.training) for n, m in block.named_modules()])")
        frozen = [n for n, p in self.block.named_parameters() if not p.requires_grad]
        if frozen:  # no operation of a life turns it off
            raise self.fail(f"parameters {frozen} no longer require grad",
                            show="print([(n, p.requires_grad) for n, p in block.named_parameters()])")

    def params_require_grad(self) -> bool:
        return any(p.requires_grad for p in self.params)


class DeviceMoves(BlockLife):
    """The device move, a rule of lives on a machine with a second device (``second_device``)."""

    @rule()
    def to_other_device(self) -> None:
        """``block.to(device)`` between the check's device and a second one (the CPU and a GPU, where
        torch finds one): returns the block; every parameter, buffer and gradient is on that device
        afterwards, the same Parameter objects (the optimizer's), values unchanged. Outputs of
        earlier forwards stay where they were; no backward runs through them afterwards."""
        device = second_device(self.ctx.device) if self.device == self.ctx.device else self.ctx.device
        assert device is not None  # (DeviceMoves is a base only where a second device exists)
        self.operation(f"block.to({device!r})")
        out = self.invoke(f"block.to({device!r})", lambda: self.block.to(device))
        if out is not self.block:
            raise self.fail(f"block.to({device!r}) did not return the block itself",
                            show=f"print(block.to({device!r}) is block)")
        self.device = device
        if self.opt is not None and self.opt.state:  # as training code does: the optimizer's state follows
            self.say("for s in opt.state.values():",
                     f"    s.update({{k: v.to({device!r}) for k, v in s.items() if torch.is_tensor(v)}})")
            for state in self.opt.state.values():
                state.update({k: v.to(device) for k, v in state.items() if torch.is_tensor(v)})
        where = torch.device(device).type
        stranded = [name for name, t in self.tensors().items()
                    if t.device.type != where or (t.grad is not None and t.grad.device.type != where)]
        if stranded:
            raise self.fail(f"{stranded} (or their gradients) not on {device!r} after block.to({device!r})",
                            show="print([(k, v.device) for k, v in block.state_dict().items()])")
        self.changed_parameters()  # a graph built before the move accumulates on the old device


def small_leading(spec: BlockSpec) -> st.SearchStrategy[tuple[int, ...]]:
    """The block's non-empty input shapes (leading dims), each dim at most 4: a life is about state,
    sizes are the forward and gradient checks' (one strategy per block, built once)."""
    if spec.key not in _SMALL:
        _SMALL[spec.key] = spec.leading(nonempty=True).map(lambda lead: tuple(min(n, 4) for n in lead))
    return _SMALL[spec.key]


_SMALL: dict[str, st.SearchStrategy[tuple[int, ...]]] = {}


#: Why a life on a CPU-only machine makes no device move (the report's note).
NO_SECOND_DEVICE = "torch finds no CUDA device on this machine (block.to('cuda') and back is not exercised)"
#: The second device of a CPU run on a machine without a GPU: None (no move); a self-test sets
#: "cpu" to exercise the rule's bookkeeping with a move that changes nothing.
CPU_ONLY_SECOND_DEVICE: str | None = None


def saveload_variant(dtype: str) -> str:
    """The saveload check that judges a life's save/load: its own dtype's, float32's for a half format
    (saveload, bit for bit, runs in float32 and float64)."""
    return dtype if dtype in DTYPES else "float32"


def second_device(device: str) -> str | None:
    """The device a life moves its block to (and back from): a GPU from the CPU where torch finds
    one, the CPU from any other device."""
    if str(device).startswith("cpu"):
        return "cuda" if torch.cuda.is_available() else CPU_ONLY_SECOND_DEVICE
    return "cpu"


def rounded(value: np.ndarray, dtype: torch.dtype) -> np.ndarray:
    """``value`` rounded to ``dtype`` (round to nearest even, as ``Tensor.to`` does), as float64."""
    return to_numpy(torch.from_numpy(np.asarray(value, dtype=np.float64)).to(dtype))
