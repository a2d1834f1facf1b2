# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · The engine in ten minutes
#
# `tinygrad_res` is a reverse-mode automatic differentiation engine in a few hundred lines of
# numpy. In this notebook you will
#
# 1. build a small computation graph, one op at a time, and look at what each tensor records;
# 2. call `backward()` and read the gradient of **every** node, not just the weights;
# 3. see why a tensor that is used twice (the input of a skip connection, `y = x + F(x)`)
#    receives the **sum** of two gradients;
# 4. check every gradient against finite differences with `gradcheck`, and watch it catch a
#    wrong one;
# 5. get the same numbers from PyTorch, if it is installed.
#
# Every number below is computed when you run the cell: change the inputs and run again.

# %%
import numpy as np

from tinygrad_res import Function, Tensor, gradcheck, linear, numerical_grad, viz

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. A graph with a skip connection
#
# One residual layer on one input vector: `z = W x + b`, `F = relu(z)`, `y = x + F`, and a
# scalar loss `L = sum(yy)`, `yy = y * y`. Each operation returns a new `Tensor` that remembers the op
# that made it (`.op`) and its inputs (`.parents`). We name the tensors so that printouts and
# drawings can say which is which.

# %%
rng = np.random.default_rng(9)   # a draw where one of the three relus is off
x = Tensor(rng.standard_normal(3), requires_grad=True, name="x")
W = Tensor(rng.standard_normal((3, 3)) / np.sqrt(3), requires_grad=True, name="W")
b = Tensor(0.1 * rng.standard_normal(3), requires_grad=True, name="b")

z = linear(x, W, b)    # W @ x + b, with W of shape (out, in) as in torch.nn.functional.linear
z.name = "z"
F = z.relu()
F.name = "F"
y = x + F              # the skip connection: x is used a second time
y.name = "y"
yy = y * y
yy.name = "yy"
L = yy.sum()
L.name = "L"

for t in (L, yy, y, F, z):
    print(f"{t.name} = {t.op}({', '.join(p.name for p in t.parents)})   shape {t.shape}")

# %% [markdown]
# A leaf is a tensor you made yourself (`x`, `W`, `b`): it has no op and no parents. The
# graph can be drawn; each box is a tensor (blue: a leaf that wants a gradient, green: the
# output), each oval an op, and the red arrow is the skip connection.

# %%
viz.draw_graph(L)

# %% [markdown]
# ## 2. `backward()` fills `.grad` of every node
#
# `L.backward()` walks the graph from `L` back to the leaves in reverse topological order and
# applies each op's local derivative (the chain rule). Unlike PyTorch, which keeps gradients
# of leaves only unless asked, every tensor that needs a gradient gets one here, so you can
# look inside.

# %%
L.backward()
for t in (L, y, F, z, b, W, x):
    print(f"dL/d{t.name:<2} =", t.grad)

# %% [markdown]
# Check the first steps by hand: `dL/dy = 2 y`, and `relu` lets the gradient through only
# where `z > 0`.

# %%
print("2 * y          :", 2 * y.data)
print("dL/dy          :", y.grad)
print("relu passes at :", z.data > 0)
print("dL/dz == dL/dF * (z > 0):", np.array_equal(z.grad, F.grad * (z.data > 0)))

# %% [markdown]
# ## 3. The skip connection sums two gradients
#
# `x` reaches `y` by two paths: directly (the skip) and through `F(x) = relu(W x + b)` (the
# branch). The chain rule says `dL/dx = dL/dy · (1 + dF/dx)`: the skip hands `dL/dy` down
# **unchanged**, the branch adds `Wᵀ (dL/dz)`. The engine adds the two contributions when the
# second one arrives. Here are both, computed by hand from the gradients above:

# %%
via_skip = y.grad                   # d(x + F)/dx through the skip: the identity
via_branch = W.data.T @ z.grad      # through linear: W transposed times the gradient at z
print("via the skip   :", via_skip)
print("via the branch :", via_branch)
print("sum            :", via_skip + via_branch)
print("x.grad         :", x.grad)
print("largest difference:", np.abs(x.grad - (via_skip + via_branch)).max())

# %% [markdown]
# This is the whole trick of residual networks in one line: however small the branch's
# gradient gets (a dead relu, a tiny weight), the skip still delivers `dL/dy` to `x`.
#
# Gradients **accumulate**: calling `backward()` a second time adds to `.grad`. That is why
# training loops reset them with `zero_grad()` before each step.

# %%
before = x.grad.copy()
L.backward()
print("after a second backward, x.grad / before =", x.grad / before)
for t in (x, W, b):
    t.grad = None

# %% [markdown]
# ## 4. `gradcheck`: every gradient against finite differences
#
# `numerical_grad` nudges each input entry by ±eps and measures how the output moves (central
# differences): no backward involved. `gradcheck` compares that with what `backward()` gives
# and returns `True`, or raises an error naming the input and the entries that disagree.

# %%
def residual_layer_loss(x, W, b):
    y = x + linear(x, W, b).relu()
    return (y * y).sum()


print("gradcheck:", gradcheck(residual_layer_loss, x, W, b))
residual_layer_loss(x, W, b).backward()
numeric = numerical_grad(residual_layer_loss, x, W, b)
for t, n in zip((x, W, b), numeric):
    print(f"{t.name}: largest |backward - finite differences| = {np.abs(t.grad - n).max():.1e}")

# %% [markdown]
# An op is a `Function`: a docstring with its formula, a `name`, a `rule` in words, and a
# `forward` and a `backward` on numpy arrays. Here is a square whose backward forgets the
# factor 2: `gradcheck` notices.

# %%
class BadSquare(Function):
    """z = a * a   dz/da = 2 * a

    The backward below forgets the factor 2."""
    name = "bad_square"
    rule = "multiply the gradient by a (it should be 2 * a)"

    def forward(self, a):
        self.save_for_backward(a)
        return a * a

    def backward(self, grad_output):
        (a,) = self.saved
        return grad_output * a


try:
    gradcheck(lambda t: BadSquare.apply(t).sum(), x)
except AssertionError as error:
    print(type(error).__name__, ":", error)

# %% [markdown]
# ## 5. The same numbers from PyTorch
#
# If PyTorch is installed (`pip install torch==2.13.0`, a CPU build), the same graph in
# float64 gives the same gradients, to rounding. PyTorch keeps the gradient of an
# intermediate tensor only when asked (`retain_grad()`).

# %%
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: pip install torch==2.13.0 to compare")

if torch is not None:
    fresh = {name: Tensor(t.data, requires_grad=True, name=name)
             for name, t in (("x", x), ("W", W), ("b", b))}
    ours = {"x": fresh["x"], "W": fresh["W"], "b": fresh["b"]}
    ours["z"] = linear(fresh["x"], fresh["W"], fresh["b"])
    ours["F"] = ours["z"].relu()
    ours["y"] = fresh["x"] + ours["F"]
    (ours["y"] * ours["y"]).sum().backward()

    theirs = {name: torch.tensor(t.data, requires_grad=True) for name, t in fresh.items()}
    theirs["z"] = torch.nn.functional.linear(theirs["x"], theirs["W"], theirs["b"])
    theirs["F"] = torch.relu(theirs["z"])
    theirs["y"] = theirs["x"] + theirs["F"]
    for name in ("z", "F", "y"):
        theirs[name].retain_grad()
    (theirs["y"] * theirs["y"]).sum().backward()
    for name in ("y", "F", "z", "b", "W", "x"):
        difference = np.abs(ours[name].grad - theirs[name].grad.numpy()).max()
        print(f"d/d{name}: largest difference from PyTorch {difference:.1e}")

# %% [markdown]
# **Next:** `02_step_through_a_residual_block` walks the same kind of graph one op at a time,
# forward and backward, in an interactive view.
