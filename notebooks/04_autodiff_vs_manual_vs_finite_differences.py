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
# # 04 · Three ways to the same gradient
#
# How do we know the engine's gradients are right? We compute each one three ways and
# compare:
#
# | method | how | error to expect |
# |---|---|---|
# | **autodiff** | `loss.backward()`: the engine applies each op's local rule | rounding, ~1e-16 |
# | **by hand** | the chain rule written out in numpy (`nets/manual*.py`), no engine | rounding |
# | **finite differences** | `(f(w + eps) - f(w - eps)) / (2 eps)`, no derivative at all | ~eps² + 1e-16/eps |
#
# Autodiff and hand-written backprop should agree to the last bits; finite differences are
# the independent referee that needs no calculus, at the price of accuracy.

# %%
import inspect

import numpy as np

import nets
from demos.autodiff_vs_manual import compare, manual_vector, relative_error
from demos.notebook import show_figures
from demos.plotting import save_figure, subplots
from nets.losses import mse_loss
from tinygrad_res import Tensor, numerical_grad

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)

# %% [markdown]
# ## A residual layer, backward by hand
#
# One layer of `nets.ResMLP`, `y = x + relu(x Wᵀ + b)`, MSE loss `L = mean((y - t)²)` on a
# batch. Its backward on paper, then in numpy:
#
# * `dL/dy = 2 (y - t) / n` (n = number of entries)
# * `dL/dz = dL/dy · [z > 0]` (relu passes the gradient where its input was positive)
# * `dL/dW = (dL/dz)ᵀ x`, `dL/db = Σ_batch dL/dz`
# * `dL/dx = dL/dy + (dL/dz) W`: the skip's share plus the branch's share

# %%
layer_model = nets.ResMLP(1, 4, seed=0)
W, b = (p.data for p in layer_model.parameters())
x = rng.standard_normal((5, 4))
t = rng.standard_normal((5, 4))

z = x @ W.T + b                     # forward
y = x + np.maximum(z, 0.0)
loss_by_hand = np.mean((y - t) ** 2)
grad_y = 2 * (y - t) / y.size       # backward
grad_z = grad_y * (z > 0)
by_hand = {"W": grad_z.T @ x, "b": grad_z.sum(axis=0), "x": grad_y + grad_z @ W}

xt = Tensor(x, requires_grad=True)  # the engine
loss = mse_loss(layer_model(xt), Tensor(t))
loss.backward()
autodiff = {"W": layer_model.layers[0].linear.weight.grad,
            "b": layer_model.layers[0].linear.bias.grad, "x": xt.grad}

weight, bias = layer_model.parameters()   # finite differences, nudging the arrays in place
numeric = dict(zip(("W", "b", "x"), numerical_grad(
    lambda *_: mse_loss(layer_model(xt), Tensor(t)), weight, bias, xt)))

print(f"loss: engine {loss.item():.15f}, by hand {loss_by_hand:.15f}")
for name in ("W", "b", "x"):
    print(f"d/d{name}: autodiff vs by hand {relative_error([autodiff[name]], [by_hand[name]]):.1e}"
          f"   autodiff vs finite differences "
          f"{relative_error([autodiff[name]], [numeric[name]]):.1e}")

# %% [markdown]
# (`relative_error` is `max |a - b| / max(max |a|, max |b|)`: relative to the gradient's
# scale, so that an entry that is exactly 0 in theory cannot blow it up.)
#
# ## Real blocks: `nets.manual`
#
# `nets.manual.loss_and_grads(model, x, target)` does the same for every network and block
# of `nets`, including layer norm and batch norm, whose backward is the longest piece of
# calculus here. This is the hand-written backward of the pre-activation block:

# %%
print(inspect.getsource(nets.manual_blocks.preact_backward))

# %% [markdown]
# `compare` (from `demos/autodiff_vs_manual.py`) runs all three methods on a model and
# reports, per layer, the relative error of each pair.

# %%
blocks = {
    "PreActBlock(4, norm='layer')": nets.PreActBlock(4, norm="layer", seed=1),
    "PostActBlock(4 -> 6, norm='batch'), projection": nets.PostActBlock(4, 6, norm="batch",
                                                                        seed=2),
    "BottleneckBlock(8, 4)": nets.BottleneckBlock(8, 4, seed=3),
}
print(f"{'block':<48} {'layer':<9} {'auto/manual':>11} {'auto/fd':>9} {'manual/fd':>9}")
for label, block in blocks.items():
    x = rng.standard_normal((5, block.in_features))
    target = rng.standard_normal((5, block.out_features))
    for layer, errors in compare(block, x, target, manual_vector, eps=1e-6).items():
        print(f"{label:<48} {layer:<9} " + " ".join(f"{e:>9.1e}" for e in errors))

# %% [markdown]
# Autodiff and the hand-written backward agree to rounding (the first column); both sit
# several orders of magnitude further from finite differences (the other two columns), and
# equally far: that gap is the finite differences' own error, not the backward's.
#
# ## Why finite differences are only an approximation
#
# The central difference has a truncation error that shrinks like eps², and a rounding error
# that grows like (machine epsilon) / eps, because two nearly equal losses are subtracted.
# Sweep eps and watch the error against the autodiff gradient fall, bottom out where the two
# meet, and rise again (which is why `gradcheck` uses eps = 1e-6 and tolerances far above
# rounding):

# %%
block = blocks["PreActBlock(4, norm='layer')"]
x = rng.standard_normal((5, 4))
target = rng.standard_normal((5, 4))
block.zero_grad()
mse_loss(block(Tensor(x)), Tensor(target)).backward()
params = list(block.parameters())
exact = [p.grad.copy() for p in params]
steps = np.logspace(-12, -1, 23)
errors = [relative_error(exact, numerical_grad(
    lambda *_: mse_loss(block(Tensor(x)), Tensor(target)), *params, eps=float(eps)))
    for eps in steps]
best = steps[int(np.argmin(errors))]
print(f"smallest error {min(errors):.1e} at eps = {best:.0e}")

fig, ax = subplots(size=(6.0, 3.8))
ax.loglog(steps, errors, "o-", label="finite differences vs autodiff")
ax.loglog(steps, steps ** 2, ":", color="gray", label="eps² (truncation)")
ax.loglog(steps, 1e-16 / steps, "--", color="gray", label="1e-16 / eps (rounding)")
ax.set(xlabel="eps", ylabel="relative error", ylim=(1e-13, 1e1),
       title="PreActBlock: central differences against autodiff")
ax.legend(fontsize=8)
show_figures([save_figure(fig, "out", "finite_difference_error")])

# %% [markdown]
# ## Every network of `nets`
#
# The demo runs the same comparison over every network and block, including the
# convolutional `BasicBlock` with batch norm, and draws the worst error of each.

# %%
from demos.cli import run_demo

checks = run_demo("autodiff_vs_manual", [])
print(f"worst autodiff vs manual: {checks['max_autodiff_vs_manual']:.1e}; "
      f"worst autodiff vs finite differences: {checks['max_autodiff_vs_fd']:.1e}")
