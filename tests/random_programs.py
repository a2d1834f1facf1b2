"""Random op programs, run on our tensors and on PyTorch's side by side.

A program starts from four leaves of random shapes (0-d to 3-d, and one of size 1 in its last
dim, to broadcast) and applies random ops (elementwise, broadcasting, reductions with dim and
keepdim, shape ops, indexing with repeated and negative indices, masks, joins, padding that
crops, activations) to values picked from those computed so far; a slice may leave a dim of
size 0, which the later ops then meet. tests/test_random_programs.py compares each step's
values and dtype, and the leaves' gradients, with PyTorch's, in float64 and float32.
"""
from typing import Callable, List, NamedTuple

import numpy as np

import tinygrad_res as tg


class Step(NamedTuple):
    name: str
    ours: Callable     # (*our tensors) -> our tensor
    theirs: Callable   # (torch, *torch tensors) -> torch tensor
    arity: int
    accepts: Callable  # (*shapes) -> whether the op applies to operands of these shapes


def _any(*shapes) -> bool:
    return True


def _broadcastable(a, b) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _matmul_fits(a, b) -> bool:
    if not a or not b or a[-1] != b[-2 if len(b) > 1 else 0]:
        return False
    return len(a) < 3 and len(b) < 3 or _broadcastable(a[:-2], b[:-2])


def _same(name: str, fn: Callable, arity: int = 1, accepts: Callable = _any) -> Step:
    """A step that reads the same on both sides."""
    return Step(name, fn, lambda t, *xs: fn(*xs), arity, accepts)


def _functional(name: str, ours: Callable, *args) -> Step:
    """A step whose PyTorch side is torch.nn.functional.<name>(x, *args)."""
    return Step(name, ours, lambda t, x: getattr(t.nn.functional, name)(x, *args), 1, _any)


def _elementwise_steps() -> List[Step]:
    same = {
        "neg": lambda x: -x, "exp": lambda x: (x * 0.3).exp(), "tanh": lambda x: x.tanh(),
        "sigmoid": lambda x: x.sigmoid(), "relu": lambda x: x.relu(), "abs": lambda x: x.abs(),
        "sqrt": lambda x: (x * x + 1.0).sqrt(), "log": lambda x: (x * x + 0.5).log(),
        "square": lambda x: x ** 2, "pow_half": lambda x: (x * x + 1.0) ** 0.5,
        "clamp": lambda x: x.clamp(-0.3, 0.8), "clamp_min": lambda x: x.clamp(min=0.1),
        "rsub": lambda x: 2.0 - x, "rdiv": lambda x: 1.0 / (x * x + 1.0),
        "mul_int": lambda x: 3 * x, "sign_times": lambda x: x.sign() * x,
    }
    steps = [_same(name, fn) for name, fn in same.items()]
    steps += [
        _functional("leaky_relu", lambda x: x.leaky_relu(0.2), 0.2),
        _functional("elu", lambda x: x.elu(0.7), 0.7),
        _functional("silu", lambda x: x.silu()),
        _functional("softplus", lambda x: x.softplus(2.0), 2.0),
        _functional("gelu", lambda x: x.gelu()),
        _functional("hardtanh", lambda x: x.hardtanh(-0.5, 0.5), -0.5, 0.5),
        Step("gelu_tanh", lambda x: x.gelu(approximate="tanh"),
             lambda t, x: t.nn.functional.gelu(x, approximate="tanh"), 1, _any),
        Step("relu6", lambda x: (x * 4.0).relu6(),
             lambda t, x: t.nn.functional.relu6(x * 4.0), 1, _any),
    ]
    binary = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
              "mul": lambda a, b: a * b, "div": lambda a, b: a / (b * b + 1.0)}
    steps += [_same(name, fn, 2, _broadcastable) for name, fn in binary.items()]
    steps += [
        Step("maximum", tg.maximum, lambda t, a, b: t.maximum(a, b), 2, _broadcastable),
        Step("where", lambda a, b: tg.where(a > b, a, b),
             lambda t, a, b: t.where(a > b, a, b), 2, _broadcastable),
        _same("matmul", lambda a, b: a @ b, 2, _matmul_fits),
    ]
    return steps


def _dim_steps(rng) -> List[Step]:
    """Ops that take a dim: the dim (negative half the time) and keepdim drawn per call."""
    def with_dim(name: str, fn: Callable, smallest: int = 0) -> Step:
        """fn(x, dim, keepdim, module) reads the same on both sides: module is tg or torch."""
        drawn = {}

        def ours(x):
            d = int(rng.integers(x.ndim))
            drawn["dim"] = d - x.ndim if rng.random() < 0.5 else d
            drawn["keepdim"] = bool(rng.random() < 0.5)
            return fn(x, drawn["dim"], drawn["keepdim"], tg)

        def theirs(t, x):  # called right after ours, with the same draw
            return fn(x, drawn["dim"], drawn["keepdim"], t)
        return Step(name, ours, theirs, 1, lambda s: len(s) > 0 and min(s) >= smallest)

    def along(x, d, index):
        return x[(slice(None),) * (d % x.ndim) + (index,)]

    return [
        with_dim("sum", lambda x, d, k, m: x.sum(d, keepdim=k)),
        with_dim("mean", lambda x, d, k, m: x.mean(dim=d, keepdim=k), 1),
        with_dim("amax", lambda x, d, k, m: x.max(d, keepdim=k) if m is tg else
                 x.amax(d, keepdim=k), 1),
        with_dim("amin", lambda x, d, k, m: x.min(d, keepdim=k) if m is tg else
                 x.amin(d, keepdim=k), 1),
        with_dim("var", lambda x, d, k, m: x.var(d, keepdim=k, correction=0), 1),
        with_dim("std", lambda x, d, k, m: (x * x + 1.0).std(d, keepdim=k), 2),
        with_dim("softmax", lambda x, d, k, m: x.softmax(d)),
        with_dim("log_softmax", lambda x, d, k, m: x.log_softmax(dim=d)),
        with_dim("logsumexp", lambda x, d, k, m: x.logsumexp(d, keepdim=k)),
        with_dim("unsqueeze", lambda x, d, k, m: x.unsqueeze(d)),
        with_dim("squeeze", lambda x, d, k, m: x.squeeze(d)),
        with_dim("flip", lambda x, d, k, m: x.flip(d)),
        with_dim("flatten", lambda x, d, k, m: x.flatten(d)),
        with_dim("transpose", lambda x, d, k, m: x.transpose(d, 0)),
        with_dim("cat", lambda x, d, k, m: m.cat([x, x * 2.0], dim=d)),
        with_dim("stack", lambda x, d, k, m: m.stack([x, -x], dim=d)),
        with_dim("repeated_index", lambda x, d, k, m: along(
            x, d, np.array([0, 0, -1]) if m is tg else m.tensor([0, 0, -1])), 1),
        with_dim("slice", lambda x, d, k, m: along(x, d, slice(1, None))),  # may empty a dim
    ]


def _whole_steps() -> List[Step]:
    """Ops on the whole tensor, and shape ops whose arguments follow from the shape."""
    def reverse(x):
        return tuple(reversed(range(x.ndim)))

    def nonempty(s):
        return int(np.prod(s)) > 0
    return [
        _same("sum_all", lambda x: x.sum()),
        _same("mean_all", lambda x: x.mean(), accepts=nonempty),
        Step("max_all", lambda x: x.max(), lambda t, x: x.amax(), 1, nonempty),
        _same("permute", lambda x: x.permute(reverse(x))),
        _same("T", lambda x: x.T if x.ndim == 2 else x),
        _same("reshape", lambda x: x.reshape(-1, 1)),
        _same("expand", lambda x: x.unsqueeze(0).expand(2, *x.shape), accepts=lambda s: len(s) < 4),
        Step("pad", lambda x: tg.pad(x, (1, 2), value=0.5),
             lambda t, x: t.nn.functional.pad(x, (1, 2), value=0.5), 1, lambda s: len(s) >= 1),
        Step("pad_crop", lambda x: tg.pad(x, (-1, 1)), lambda t, x: t.nn.functional.pad(x, (-1, 1)),
             1, lambda s: len(s) >= 1 and s[-1] >= 2),
        _same("mask", lambda x: x[x > 0]),
        _same("first", lambda x: x[0], accepts=lambda s: len(s) > 0 and s[0] > 0),
        _same("last_of_last_dim", lambda x: x[..., -1], accepts=lambda s: len(s) > 0 and s[-1] > 0),
    ]


def random_shape(rng) -> tuple:
    return tuple(int(n) for n in rng.integers(1, 4, size=int(rng.integers(0, 4))))


def run_program(torch, seed: int, dtype, length: int = 8):
    """Run one program on both sides: [(step name, our output, torch's)], our leaves, torch's."""
    rng = np.random.default_rng(seed)
    table = _elementwise_steps() + _dim_steps(rng) + _whole_steps()
    torch_dtype = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    arrays = [rng.standard_normal(random_shape(rng)).astype(dtype) for _ in range(3)]
    arrays.append(arrays[0][..., :1].copy() if arrays[0].ndim else
                  rng.standard_normal(1).astype(dtype))
    ours = [tg.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch_dtype, requires_grad=True) for a in arrays]
    pool, trace = list(zip(ours, theirs)), []
    for _ in range(length):
        for _attempt in range(20):
            step = table[int(rng.integers(len(table)))]
            picks = [pool[int(rng.integers(len(pool)))] for _ in range(step.arity)]
            if step.accepts(*[p[0].shape for p in picks]):
                break
        else:
            continue
        out = step.ours(*[p[0] for p in picks])
        expected = step.theirs(torch, *[p[1] for p in picks])
        trace.append((step.name, out, expected))
        if out.size < 200:  # keep values small: expand, cat and stack grow them
            pool.append((out, expected))
    return trace, ours, theirs
