"""Autodiff gradients == hand-written numpy gradients (nets.manual) == finite differences,
for every network and block of nets, at several depths up to 100."""
import numpy as np
import pytest

import nets
from nets.losses import mse_loss
from tinygrad_res import Tensor, gradcheck


def autodiff_loss_and_grads(model, x, target):
    model.zero_grad()
    loss = mse_loss(model(Tensor(x)), Tensor(target))
    loss.backward()
    return loss.item(), [p.grad for p in model.parameters()]


def assert_same_gradients(model, x, target):
    """Engine vs hand-written numpy: same loss and same gradients to 1e-8 (float64)."""
    manual_loss, manual_grads = nets.manual.loss_and_grads(model, x, target)
    loss, grads = autodiff_loss_and_grads(model, x, target)
    assert loss == pytest.approx(manual_loss, rel=1e-12)
    assert len(grads) == len(manual_grads) == len(list(model.parameters()))
    scale = max(float(np.abs(g).max()) for g in manual_grads)
    assert scale > 0, "every gradient is zero: the comparison would prove nothing"
    for (name, _), g, m in zip(model.named_parameters(), grads, manual_grads):
        np.testing.assert_allclose(g, m, rtol=1e-8, atol=1e-12 * scale, err_msg=name)


def assert_finite_differences(model, x, target, fast, eps=1e-6):
    """Finite differences for the input and for the first, middle and last weight."""
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    checked = [weights[0], weights[len(weights) // 2], weights[-1]]
    checked = list({id(p): p for p in checked}.values())
    x_t = Tensor(x, requires_grad=True)

    def loss(x_t, *_):
        return mse_loss(model(x_t), Tensor(target))

    assert gradcheck(loss, x_t, *checked, fast=fast, eps=eps)


def data(rng, batch, in_features, out_features):
    return rng.standard_normal((batch, in_features)), rng.standard_normal((batch, out_features))


@pytest.mark.task_4_2
@pytest.mark.parametrize("depth", [1, 2, 5, 20, 100])
@pytest.mark.parametrize("residual", [False, True])
def test_seed000_networks(depth, residual):
    model = nets.seed000_network(depth, residual=residual, width=8)
    x = nets.data.identity_data()  # seed 000's data: with it even plain depth 100 is alive
    assert_same_gradients(model, x, x)
    assert_finite_differences(model, x, x, fast=depth > 5)


@pytest.mark.task_4_2
@pytest.mark.parametrize("depth", [3, 100])
def test_default_initialised_mlps(depth, rng):
    for model_type in (nets.PlainMLP, nets.ResMLP):
        model = model_type(depth, 5, seed=1)
        x, target = data(rng, 4, 5, 5)
        assert_same_gradients(model, x, target)


BLOCKS = [
    ("postact", dict(norm="layer")),
    ("postact", dict(norm="batch")),
    ("postact", dict(norm=None)),
    ("preact", dict(norm="layer")),
    ("preact", dict(norm="batch")),
    ("preact", dict(norm=None)),
    ("bottleneck", dict(bottleneck_features=3, norm="layer")),
    ("bottleneck", dict(bottleneck_features=3, norm=None)),
    ("highway", dict()),
]


@pytest.mark.parametrize("block, kwargs", BLOCKS)
def test_single_blocks(block, kwargs, rng):
    model = nets.blocks.BLOCKS[block](6, seed=2, **kwargs)
    x, target = data(rng, 5, 6, 6)
    assert_same_gradients(model, x, target)
    assert_finite_differences(model, x, target, fast=False)


@pytest.mark.parametrize("block_type", [nets.PostActBlock, nets.PreActBlock])
@pytest.mark.parametrize("norm", ["layer", "batch", None])
def test_projection_shortcut(block_type, norm, rng):
    model = block_type(4, 7, norm=norm, seed=3)
    assert isinstance(model.shortcut, nets.Linear)
    assert model.shortcut.weight.shape == (7, 4)
    x, target = data(rng, 5, 4, 7)
    assert_same_gradients(model, x, target)
    assert_finite_differences(model, x, target, fast=False)


def test_bottleneck_with_projection(rng):
    model = nets.BottleneckBlock(6, 2, 9, seed=4)
    x, target = data(rng, 5, 6, 9)
    assert_same_gradients(model, x, target)
    assert_finite_differences(model, x, target, fast=False)


@pytest.mark.parametrize("block, kwargs", BLOCKS)
@pytest.mark.parametrize("n_blocks", [3, 100])
def test_stacks(block, kwargs, n_blocks, rng):
    model = nets.ResidualStack(n_blocks, 6, block=block, seed=5, **kwargs)
    deep = n_blocks > 3
    x, target = data(rng, 16 if deep else 4, 6, 6)
    assert_same_gradients(model, x, target)
    # 100 blocks at random init make a very curved loss (with batch norm the gradient
    # explodes with depth, |dL/dx| ~ 1e4 here): a smaller step keeps the difference local
    assert_finite_differences(model, x, target, fast=deep, eps=1e-8 if deep else 1e-6)


def test_eval_mode_batch_norm(rng):
    """In eval mode batch norm normalises with running statistics: a different backward."""
    model = nets.ResidualStack(3, 5, block="postact", norm="batch", seed=6)
    model(Tensor(rng.standard_normal((8, 5)) * 3 + 1))   # move the running statistics
    model.eval()
    x, target = data(rng, 4, 5, 5)
    assert_same_gradients(model, x, target)
    assert_finite_differences(model, x, target, fast=False)


def test_seed002_deep_resnet(rng):
    model = nets.DeepResNet(width=16, n_blocks=100, seed=7)
    assert len(model.blocks) == 100 and model.blocks[0].norm is None
    x, target = data(rng, 4, 16, 16)
    assert_same_gradients(model, x, target)
    assert_finite_differences(model, x, target, fast=True)


def test_unknown_module_is_a_clear_error(rng):
    model = nets.Sequential(nets.Linear(3, 3))
    with pytest.raises(TypeError, match="no hand-written backward for Linear"):
        nets.manual.loss_and_grads(model, np.ones((2, 3)), np.ones((2, 3)))
