"""Losses: hand-derived values and gradients, PyTorch parity, stability, errors."""
import math

import numpy as np
import pytest

from nets.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                         mse_loss)
from tinygrad_res import Tensor, gradcheck


def test_mse_by_hand():
    x = Tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    y = np.array([[0.0, 2.0], [1.0, 1.0]])
    loss = mse_loss(x, y)
    assert loss.item() == pytest.approx((1 + 0 + 4 + 16) / 4)
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * (x.data - y) / 4)
    assert mse_loss(x, y, reduction="sum").item() == 21.0
    np.testing.assert_array_equal(mse_loss(x, y, reduction="none").data, [[1, 0], [4, 16]])


def test_bce_by_hand():
    p = Tensor([0.8, 0.3], requires_grad=True)
    y = np.array([1.0, 0.0])
    loss = binary_cross_entropy(p, y)
    assert loss.item() == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2)
    loss.backward()
    np.testing.assert_allclose(p.grad, [-1 / 0.8 / 2, 1 / 0.7 / 2])


def test_bce_with_logits_by_hand_including_zero_logits():
    z = Tensor([0.0, 2.0, -3.0], requires_grad=True)   # z = 0 is where a kinked formula fails
    y = np.array([1.0, 0.0, 0.25])
    loss = binary_cross_entropy_with_logits(z, y, reduction="sum")
    sigmoid = 1 / (1 + np.exp(-z.data))
    expected = -(y * np.log(sigmoid) + (1 - y) * np.log(1 - sigmoid)).sum()
    assert loss.item() == pytest.approx(expected, rel=1e-14)
    loss.backward()
    np.testing.assert_allclose(z.grad, sigmoid - y, rtol=1e-14)   # d/dz = sigmoid(z) - y


def test_bce_with_logits_is_stable_for_huge_logits():
    z = Tensor([800.0, -800.0, 40.0], requires_grad=True)
    y = np.array([0.0, 1.0, 1.0])
    loss = binary_cross_entropy_with_logits(z, y, reduction="none")
    # the exact values are 800, 800 and log(1 + e^-40) ~ 4e-18: no overflow, no NaN
    np.testing.assert_allclose(loss.data, [800.0, 800.0, math.exp(-40.0)], rtol=1e-12,
                               atol=1e-16)
    loss.sum().backward()
    np.testing.assert_allclose(z.grad, [1.0, -1.0, -math.exp(-40.0)], rtol=1e-12, atol=1e-16)


def test_bce_at_probability_0_and_1_is_clamped_like_torch():
    p = Tensor([0.0, 1.0, 1.0], requires_grad=True)
    y = np.array([1.0, 0.0, 1.0])
    loss = binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(loss.data, [100.0, 100.0, 0.0], rtol=1e-12)
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad))


def test_cross_entropy_by_hand():
    logits = Tensor([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]], requires_grad=True)
    labels = np.array([0, 0])
    loss = cross_entropy(logits, labels)
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    assert loss.item() == pytest.approx((lse - 1.0 + 0.0) / 2, rel=1e-14)
    loss.backward()
    softmax = np.exp(logits.data[0] - lse)
    np.testing.assert_allclose(logits.grad[0], (softmax - [1, 0, 0]) / 2, rtol=1e-14)
    np.testing.assert_allclose(logits.grad[1], [0, 0, 0], atol=1e-300)


def test_gradchecks(rng):
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    probs = Tensor(rng.uniform(0.1, 0.9, (4, 3)), requires_grad=True)
    targets = rng.uniform(0, 1, (4, 3))
    labels = np.array([0, 2, 1, 2])
    assert gradcheck(lambda x: mse_loss(x, targets, reduction="none"), x)
    assert gradcheck(lambda p: binary_cross_entropy(p, targets, reduction="none"), probs)
    assert gradcheck(lambda x: binary_cross_entropy_with_logits(x, targets, reduction="none"), x)
    assert gradcheck(lambda x: cross_entropy(x, labels, reduction="none"), x)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_match_torch(torch, rng, reduction):
    F = torch.nn.functional
    logits = rng.standard_normal((5, 4)) * 3
    probs = 1 / (1 + np.exp(-logits))
    targets = rng.uniform(0, 1, (5, 4))
    labels = np.array([3, 0, 1, 1, 2])
    cases = [
        (mse_loss, F.mse_loss, logits, targets),
        (binary_cross_entropy, F.binary_cross_entropy, probs, targets),
        (binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, logits, targets),
        (cross_entropy, F.cross_entropy, logits, labels),
    ]
    for ours, theirs, inputs, target in cases:
        x = Tensor(inputs, requires_grad=True)
        out = ours(x, target, reduction=reduction)
        x_t = torch.tensor(inputs, requires_grad=True)
        expected = theirs(x_t, torch.tensor(target), reduction=reduction)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12,
                                   err_msg=ours.__name__)
        g = rng.standard_normal(out.shape)
        out.backward(g)
        expected.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad, x_t.grad.numpy(), rtol=1e-10, atol=1e-14,
                                   err_msg=ours.__name__)


def test_errors_name_function_and_shapes():
    x = Tensor(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"mse_loss: input has shape \(3, 2\) but target has "
                                         r"shape \(2, 3\)"):
        mse_loss(x, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: input has shape "
                                         r"\(3, 2\) but target has shape \(3,\)"):
        binary_cross_entropy_with_logits(x, np.zeros(3))
    with pytest.raises(ValueError, match="reduction must be one of .* got 'avg'"):
        mse_loss(x, np.zeros((3, 2)), reduction="avg")
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input must hold probabilities "
                                         r"in \[0, 1\], got values from -1 to 0"):
        binary_cross_entropy(Tensor([-1.0, 0.0]), np.zeros(2))
    with pytest.raises(ValueError, match=r"cross_entropy: target has shape \(2,\) but input "
                                         r"\(3, 2\) needs class labels of shape \(3,\)"):
        cross_entropy(x, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"class labels must lie in \[0, 2\), got values "
                                         r"from 0 to 2"):
        cross_entropy(x, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="cross_entropy: target holds float64 values that are "
                                         "not whole numbers"):
        cross_entropy(x, np.array([0.5, 1, 1]))
    with pytest.raises(ValueError, match=r"logits of shape \(N, C\), got shape \(3,\)"):
        cross_entropy(Tensor(np.zeros(3)), np.array([0]))


@pytest.mark.parametrize("labels, dtype", [(np.array(["a", "b", "a"]), "<U1"),
                                           (np.array([True, False, True]), "bool"),
                                           (np.array([None, 1, 0]), "object")])
def test_cross_entropy_names_the_dtype_of_labels_that_are_not_numbers(labels, dtype):
    with pytest.raises(TypeError, match=rf"cross_entropy: target holds {dtype} values; expected "
                                        r"integer class labels of shape \(3,\) or float class "
                                        r"probabilities of shape \(3, 2\)"):
        cross_entropy(Tensor(np.zeros((3, 2))), labels)


def test_cross_entropy_labels_may_be_whole_numbers_in_a_tensor():
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)))
    assert cross_entropy(x, Tensor([3, 0, 1])).item() == cross_entropy(x, np.array([3, 0, 1])).item()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_class_probabilities_matches_torch(torch, rng, reduction):
    logits = rng.standard_normal((5, 4)) * 3
    probs = rng.dirichlet(np.ones(4), size=5)
    probs[0] = [0.2, -0.1, 0.5, 0.7]               # not a distribution: PyTorch does not check
    x, p = Tensor(logits, requires_grad=True), Tensor(probs, requires_grad=True)
    out = cross_entropy(x, p, reduction=reduction)
    x_t = torch.tensor(logits, requires_grad=True)
    p_t = torch.tensor(probs, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(x_t, p_t, reduction=reduction)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, x_t.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(p.grad, p_t.grad.numpy(), rtol=1e-10, atol=1e-14)
    assert gradcheck(lambda x, p: cross_entropy(x, p, reduction="none"), x, p)


def test_cross_entropy_integer_target_of_the_input_shape_is_refused_as_in_torch(torch):
    logits = np.zeros((2, 3))
    with pytest.raises(TypeError, match=r"a target of the input's shape \(2, 3\) holds class "
                                        r"probabilities and must be float, got int64"):
        cross_entropy(Tensor(logits), np.array([[0, 1, 0], [1, 0, 0]]))
    with pytest.raises(RuntimeError, match="Expected floating point type for target with class "
                                           "probabilities"):
        torch.nn.functional.cross_entropy(torch.tensor(logits),
                                          torch.tensor([[0, 1, 0], [1, 0, 0]]))
