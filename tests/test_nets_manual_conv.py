"""The hand-written numpy passes of nets/manual_conv.py agree with the engine's autodiff."""
import numpy as np
import pytest

from nets import manual_conv
from nets.resnet import BasicBlock
from tinygrad_res import Tensor, batch_norm, conv2d


@pytest.mark.parametrize("stride, padding, bias", [(1, 1, True), (2, 0, False), (2, 1, True)])
def test_manual_conv2d_equals_autodiff(rng, stride, padding, bias):
    x, w = rng.standard_normal((2, 3, 7, 5)), rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4) if bias else None
    out, cache = manual_conv.conv2d_forward(x, w, b, stride, padding)
    grad_output = rng.standard_normal(out.shape)
    dx, dw, db = manual_conv.conv2d_backward(grad_output, cache)

    tensors = [Tensor(a, requires_grad=True) for a in (x, w) + ((b,) if bias else ())]
    auto = conv2d(*tensors, stride=stride, padding=padding)
    auto.backward(grad_output)
    np.testing.assert_allclose(out, auto.data, atol=1e-12)
    np.testing.assert_allclose(dx, tensors[0].grad, atol=1e-12)
    np.testing.assert_allclose(dw, tensors[1].grad, atol=1e-12)
    if bias:
        np.testing.assert_allclose(db, tensors[2].grad, atol=1e-12)


def test_manual_batch_norm_equals_autodiff(rng):
    x = rng.standard_normal((4, 3, 5, 2)) * 3 + 1
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    out, cache = manual_conv.batch_norm_forward(x, gamma, beta)
    grad_output = rng.standard_normal(out.shape)
    grads = manual_conv.batch_norm_backward(grad_output, cache)
    tensors = [Tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    auto = batch_norm(tensors[0], None, None, tensors[1], tensors[2], training=True)
    auto.backward(grad_output)
    np.testing.assert_allclose(out, auto.data, atol=1e-12)
    for manual, tensor in zip(grads, tensors):
        np.testing.assert_allclose(manual, tensor.grad, atol=1e-12)


def test_manual_basic_block_equals_the_module(rng):
    block = BasicBlock(3, 3, seed=0)
    block.bn1.weight.data = rng.standard_normal(3)
    block.bn2.bias.data = rng.standard_normal(3)
    params = {"conv1": block.conv1.weight.data, "conv2": block.conv2.weight.data,
              "bn1_weight": block.bn1.weight.data, "bn1_bias": block.bn1.bias.data,
              "bn2_weight": block.bn2.weight.data, "bn2_bias": block.bn2.bias.data}
    x = rng.standard_normal((3, 3, 4, 4))
    out, cache = manual_conv.basic_block_forward(x, params)
    grad_output = rng.standard_normal(out.shape)
    dx, grads = manual_conv.basic_block_backward(grad_output, cache)

    x_tensor = Tensor(x, requires_grad=True)
    auto = block(x_tensor)
    auto.backward(grad_output)
    np.testing.assert_allclose(out, auto.data, atol=1e-10)
    np.testing.assert_allclose(dx, x_tensor.grad, atol=1e-10)
    modules = {"conv1": block.conv1.weight, "conv2": block.conv2.weight,
               "bn1_weight": block.bn1.weight, "bn1_bias": block.bn1.bias,
               "bn2_weight": block.bn2.weight, "bn2_bias": block.bn2.bias}
    for name, tensor in modules.items():
        np.testing.assert_allclose(grads[name], tensor.grad, atol=1e-10, err_msg=name)
