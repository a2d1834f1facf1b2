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
# # 02 · Step through a residual block, forward and backward
#
# Seed 003 asks you to "step through the block": follow one residual layer
# `y = x + relu(W x + b)` op by op, first forward (what each op computes), then backward
# (what gradient each op receives and what it hands on). `viz.Stepper` does this inside the
# notebook: the graph on top, the numbers of the current step below.
#
# **How to use it:** click *Next ▶* / *◀ Prev* or drag the slider; after a click inside the
# view, the arrow keys step too, `F` and `B` switch between the forward and the backward pass,
# and clicking an op jumps to its step. The view is a self-contained page inside the output
# (an iframe): nothing to install, no server, it works offline.

# %%
import numpy as np

from demos.stepper import residual_block_loss
from tinygrad_res import viz

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## One residual layer
#
# `nets.ResMLP(1, 3)` is one layer `y = x + relu(W x + b)` on 3 features; the loss is the
# mean squared error against a random target, on a batch of 2. `residual_block_loss` (from
# `demos/stepper.py`) names the intermediate tensors as seed 003 does: `z1 = W x + b`,
# `F1 = relu(z1)`, and the layer's output `y = x + F1`.

# %%
loss, model = residual_block_loss(blocks=1, width=3, seed=0)
names = list(model.named_parameters())   # label W and b by their names in the model
print("loss =", loss.item())
viz.Stepper(loss, names=names, height=760,
            title="One residual layer: y = x + relu(W x + b), MSE loss")

# %% [markdown]
# ## The same steps as text
#
# The view shows the steps that `viz.trace_forward` and `viz.trace_backward` return as plain
# data; here they are printed. Forward first: each op, its inputs and its output.

# %%
forward = list(viz.trace_forward(loss, names))
for step in forward:
    print(viz.format_forward_step(step, len(forward)))

# %% [markdown]
# Backward: each op receives the gradient of the loss with respect to its output and sends
# a share to each input. Look for the two places where a tensor **already had** a gradient:
# `diff` (used twice by the square) and `x` — once through the skip connection at the `add`,
# once through the branch at `linear`. Its gradient is the sum of both paths.

# %%
backward = list(viz.trace_backward(loss, names=names))
for step in backward:
    print(viz.format_backward_step(step, len(backward)))

# %% [markdown]
# ## The skip connection, in numbers
#
# At the `add`, the gradient goes to both inputs unchanged; the share that reaches `x`
# through the skip arrives at once, the share through the branch arrives two steps later.

# %%
add_step = next(step for step in backward if step.op == "add")
skip = next(sent for sent in add_step.sent if sent.via_skip)
branch_step, branch = next((step, sent) for step in backward for sent in step.sent
                           if sent.to.name == "x" and sent.accumulated)
print(f"step {add_step.index + 1} ({add_step.op}) sends to x through the skip:\n",
      skip.contribution)
print(f"step {branch_step.index + 1} ({branch_step.op}) adds the branch's share:\n",
      branch.contribution)
print("x's gradient, the sum of both:\n", branch.total)

# %% [markdown]
# Watching is not training: the traces compute the gradients without writing `.grad`. Now run
# the real `backward()` and compare: the stepper's last frame is exactly what the engine
# stores. (`find` walks the graph from the loss through `.parents` to the tensor named `x`.)

# %%
def find(root, name):
    stack, seen = [root], set()
    while stack:
        t = stack.pop()
        if t.name == name:
            return t
        if id(t) not in seen:
            seen.add(id(t))
            stack.extend(t.parents)
    raise KeyError(name)


x = find(loss, "x")
print("x.grad before backward():", x.grad)
loss.backward()
print("x.grad after backward():\n", x.grad)
print("equal to the trace's sum:", np.array_equal(x.grad, branch.total))

# %% [markdown]
# ## A real block: pre-activation with layer norm
#
# `nets.PreActBlock` is ResNet v2's block for vectors:
# `h = fc2(relu(norm2(fc1(relu(norm1(x)))))) + x`. Layer norm is written with the engine's
# ordinary ops (mean, subtract, multiply, square root, divide), so the graph is larger; the
# ops of each submodule are boxed by the module's name. `viz.show_stepper` displays from
# anywhere in a cell (here before the prints below it).

# %%
import nets
from nets.losses import mse_loss
from tinygrad_res import Tensor

block = nets.PreActBlock(3, norm="layer", seed=0)
rng = np.random.default_rng(1)
x_block = Tensor(rng.standard_normal((2, 3)), requires_grad=True, name="x")
block_loss = mse_loss(block(x_block), Tensor(rng.standard_normal((2, 3))))
viz.show_stepper(block_loss, names=block.named_parameters(), show="shapes", height=820,
                 title="nets.PreActBlock(3, norm='layer'): the skip path is a pure addition")
block_steps = list(viz.trace_backward(block_loss, names=block.named_parameters()))
print(f"{len(block_steps)} backward steps; x receives gradients at steps",
      [step.index + 1 for step in block_steps for sent in step.sent if sent.to.name == "x"])
