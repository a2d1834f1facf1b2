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
# # 05 · A convolutional ResNet, and the degradation problem (reduced)
#
# He et al. (2015) observed something that should not happen: a deeper plain network, whose
# extra layers could simply learn to pass their input through, reaches a **higher training
# error** than a shallower one. It is not overfitting (the training error is the one that is
# worse) but a failure to optimise. Residual connections, `out = relu(F(x) + x)`, make the
# identity the easy default and the problem goes away.
#
# This notebook builds the CIFAR-style ResNet of that paper on the engine, trains plain and
# residual networks of two depths on scikit-learn's 8x8 digits with one budget, and then
# moves a trained network to PyTorch. The full experiment (four depths, 16 epochs, about ten
# CPU minutes) is `python -m demos degradation`.

# %%
import numpy as np

import nets
from demos.cli import run_demo
from demos.notebook import show_figures
from demos.plotting import save_figure, subplots
from nets.digits import load_digits
from nets.losses import cross_entropy
from tinygrad_res import Tensor, no_grad

# %% [markdown]
# ## The data: 8x8 digits
#
# 1797 images of handwritten digits, shipped with scikit-learn (nothing is downloaded),
# split 80/20 with a fixed seed and normalised with the training set's mean and std.

# %%
data = load_digits()
print("train", data.x_train.shape, "test", data.x_test.shape)
fig, axes = subplots(2, 8, size=(1.1, 1.2))
for ax, image, label in zip(axes.flat, data.x_train, data.y_train):
    ax.imshow(image[0], cmap="gray_r")
    ax.set(title=str(label), xticks=[], yticks=[])
show_figures([save_figure(fig, "out", "digits")])

# %% [markdown]
# ## The networks
#
# `nets.ResNet(depth)` is He et al.'s layout for small images: a 3x3 convolution, three
# stages of `n` blocks with 16, 32 and 64 channels (the 2nd and 3rd stage halve the image
# with stride 2), global average pooling and a Linear layer: `depth = 6n + 2` weighted
# layers. A `BasicBlock` is conv–BN–relu–conv–BN, plus the shortcut, then relu; where the
# shape changes the shortcut is a 1x1 convolution with stride 2 ("option B").
# `plain=True` removes the shortcuts **and nothing else**: built from the same seed, the
# plain and the residual network start from the same main-path weights.

# %%
resnet = nets.ResNet(20, seed=0)
plain = nets.ResNet(20, plain=True, seed=0)
print(resnet.blocks[3])
resnet_state, plain_state = resnet.state_dict(), plain.state_dict()
shared = [key for key in plain_state if key in resnet_state]
print(f"parameters: ResNet-20 {resnet.num_parameters()}, plain-20 {plain.num_parameters()}")
print(f"{len(shared)} arrays in common, all equal: "
      f"{all(np.array_equal(plain_state[k], resnet_state[k]) for k in shared)}; only in the "
      f"ResNet: {sorted({k.split('.shortcut')[0] for k in resnet_state if k not in shared})}")

# %% [markdown]
# ## One batch through both, at initialisation
#
# The loss at initialisation and the size of the gradient that reaches the first
# convolution. Is the plain network's problem a *vanishing* gradient?

# %%
x, y = Tensor(data.x_train[:64]), data.y_train[:64]
print("depth | plain loss | residual loss | plain ||dL/dW_first|| | residual ||dL/dW_first||")
first_grads = {}
for depth in (8, 32):
    row = []
    for is_plain in (True, False):
        model = nets.ResNet(depth, plain=is_plain, seed=0)
        loss = cross_entropy(model(x), y)
        loss.backward()
        first_grads[depth, is_plain] = np.linalg.norm(model.stem[0].weight.grad)
        row.append(loss.item())
    print(f"{depth:>5} | {row[0]:10.4f} | {row[1]:13.4f} | {first_grads[depth, True]:21.3f} | "
          f"{first_grads[depth, False]:.3f}")
print("the plain net's first-layer gradient at depth 32 is",
      "larger" if first_grads[32, True] > first_grads[32, False] else "smaller",
      "than the residual net's")

# %% [markdown]
# With batch normalisation the gradient does not simply vanish in the plain network (He et
# al. made the same observation and called the difficulty an optimisation problem, not a
# signal problem). So the proof has to come from training.
#
# ## Degradation, with a reduced budget
#
# Plain-8, plain-32, ResNet-8 and ResNet-32, each trained with the same budget: SGD with
# momentum 0.9, weight decay 1e-4, batches of 64, lr 0.05 divided by 10 at 50% and 75% of the
# epochs, float32, two networks at a time in worker processes (the bar counts networks
# finished). The table reports the error on the whole training and test set after the last
# epoch (eval mode), and the mean training error over the epochs (how fast it trained). The
# demo's verdict uses one rule for both families: the deeper network trains worse if its
# final training error is higher by more than 0.2 points.

# %%
degradation = run_demo("degradation", ["--depths", "8", "32", "--epochs", "8"])

# %% [markdown]
# The same numbers, read from the result:

# %%
final = {run["name"]: run for run in degradation["runs"]}
for family in ("plain", "resnet"):
    shallow, deep = final[f"{family}-8"], final[f"{family}-32"]
    print(f"{family:>6}: train error {100 * shallow['final_train_error']:.2f}% at depth 8, "
          f"{100 * deep['final_train_error']:.2f}% at depth 32; mean over epochs "
          f"{100 * shallow['mean_train_error']:.1f}% and {100 * deep['mean_train_error']:.1f}%")
verdict = degradation["verdict"]
print("deeper plain trains worse:", verdict["plain_deeper_trains_worse"],
      "| deeper residual trains worse:", verdict["residual_deeper_trains_worse"],
      "| degradation shown:", verdict["degradation_shown"])

# %% [markdown]
# ## Taking a trained network to PyTorch
#
# `nets.export.to_torch(model)` builds the same network as `torch.nn` modules, with the same
# weights, batch-norm running statistics and train/eval modes, so a model trained here can
# continue in PyTorch; `nets.export.from_torch(model, module_or_state_dict)` brings weights
# back. Below: ResNet-8 trained one epoch here, exported, checked to give the same
# predictions, trained one more epoch in PyTorch, and loaded back. (Skipped without PyTorch:
# `pip install torch==2.13.0`.)

# %%
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: pip install torch==2.13.0 to run this part")

if torch is not None:
    from nets.export import from_torch, to_torch

    def batches(rng):
        order = rng.permutation(len(data.y_train))
        return [order[i:i + 64] for i in range(0, len(order), 64)]

    def test_error(logits):
        return float((logits.argmax(axis=1) != data.y_test).mean())

    model = nets.ResNet(8, seed=0)
    optimizer = nets.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for index in batches(np.random.default_rng(0)):
        loss = cross_entropy(model(Tensor(data.x_train[index])), data.y_train[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    twin = to_torch(model)            # eval mode, like the model
    with no_grad():
        ours = model(Tensor(data.x_test)).data
    with torch.no_grad():
        theirs = twin(torch.from_numpy(data.x_test)).numpy()
    print(f"after one epoch here: test error {test_error(ours):.3f}; PyTorch gives the same "
          f"logits to {np.abs(ours - theirs).max():.1e}")

    twin.train()
    torch_optimizer = torch.optim.SGD(twin.parameters(), lr=0.05, momentum=0.9)
    for index in batches(np.random.default_rng(1)):
        torch_loss = torch.nn.functional.cross_entropy(
            twin(torch.from_numpy(data.x_train[index])), torch.from_numpy(data.y_train[index]))
        torch_optimizer.zero_grad()
        torch_loss.backward()
        torch_optimizer.step()
    twin.eval()
    with torch.no_grad():
        theirs = twin(torch.from_numpy(data.x_test)).numpy()
    from_torch(model, twin)           # back: weights and running statistics
    with no_grad():
        ours = model(Tensor(data.x_test)).data
    print(f"after a second epoch in PyTorch: test error {test_error(theirs):.3f}; loaded back, "
          f"the engine gives the same logits to {np.abs(ours - theirs).max():.1e}")
