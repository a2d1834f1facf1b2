"""Pooling ops: hand-derived values, finite differences, PyTorch parity, errors."""
import numpy as np
import pytest

from tinygrad_res import (Tensor, adaptive_avg_pool2d, avg_pool2d, global_avg_pool2d, gradcheck,
                          max_pool2d)
from tinygrad_res.ops.pool import averaging_matrix


def test_max_and_avg_pool_by_hand():
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    out = max_pool2d(x, 2)
    np.testing.assert_array_equal(out.data, [[[[5.0, 7.0], [13.0, 15.0]]]])
    out.sum().backward()
    # the gradient lands on the bottom-right corner of each 2x2 window, where the maximum is
    expected = np.zeros((4, 4))
    expected[1::2, 1::2] = 1.0
    np.testing.assert_array_equal(x.grad[0, 0], expected)
    np.testing.assert_array_equal(avg_pool2d(x, 2).data, [[[[2.5, 4.5], [10.5, 12.5]]]])


def test_overlapping_max_windows_add_their_gradients():
    # 3 windows of width 2, stride 1, over [0, 5, 1, 2]: 5 wins the first two windows
    x = Tensor(np.array([0.0, 5.0, 1.0, 2.0]).reshape(1, 1, 1, 4), requires_grad=True)
    max_pool2d(x, (1, 2), stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad.ravel(), [0.0, 2.0, 0.0, 1.0])


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 2), ((2, 3), 1), (2, 3)])
@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
def test_pool_gradcheck(rng, pool, kernel, stride):
    # distinct values, so no max sits at a tie that finite differences would straddle
    x = Tensor(rng.permutation(2 * 2 * 7 * 5).reshape(2, 2, 7, 5) / 10.0, requires_grad=True)
    assert gradcheck(lambda t: pool(t, kernel, stride), x, eps=1e-4)


def test_padded_pools_by_hand():
    # one negative image: a zero pad would win the corner windows of max pooling; -inf cannot
    x = Tensor(-np.arange(1.0, 10.0).reshape(1, 1, 3, 3), requires_grad=True)
    out = max_pool2d(x, 2, stride=2, padding=1)  # windows of the padded 5x5, 2x2 of them
    np.testing.assert_array_equal(out.data, [[[[-1.0, -2.0], [-4.0, -5.0]]]])
    out.sum().backward()
    expected = np.zeros((3, 3))
    expected[[0, 0, 1, 1], [0, 1, 0, 1]] = 1.0  # each window's max is its one real top-left pixel
    np.testing.assert_array_equal(x.grad[0, 0], expected)
    # average pooling: zeros pad, and count in the mean unless count_include_pad=False
    ones = Tensor(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(avg_pool2d(ones, 3, stride=1, padding=1).data,
                                  np.full((1, 1, 2, 2), 4 / 9))
    np.testing.assert_array_equal(
        avg_pool2d(ones, 3, stride=1, padding=1, count_include_pad=False).data, 1.0)


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("kernel, stride, padding",
                         [(3, 2, 1), (2, 1, 1), ((3, 2), (1, 2), (1, 0))])
def test_padded_pool_gradcheck(rng, kernel, stride, padding, count_include_pad):
    x = Tensor(rng.permutation(2 * 2 * 6 * 5).reshape(2, 2, 6, 5) / 10.0, requires_grad=True)
    assert gradcheck(lambda t: max_pool2d(t, kernel, stride, padding), x, eps=1e-4)
    assert gradcheck(lambda t: avg_pool2d(t, kernel, stride, padding, count_include_pad), x)


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_padded_pools_match_pytorch_on_a_resnet_stem_shape(torch, rng, count_include_pad):
    x = rng.standard_normal((1, 4, 15, 14))  # odd and even sizes: the floor in the output size
    F = torch.nn.functional
    pairs = [(lambda t: max_pool2d(t, 3, 2, 1), lambda t: F.max_pool2d(t, 3, 2, 1)),
             (lambda t: avg_pool2d(t, 3, 2, 1, count_include_pad),
              lambda t: F.avg_pool2d(t, 3, 2, 1, count_include_pad=count_include_pad))]
    for ours, theirs in pairs:
        mine, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = ours(mine), theirs(reference)
        assert out.shape == tuple(expected.shape) == (1, 4, 8, 7)
        grad_output = rng.standard_normal(out.shape)
        out.backward(grad_output)
        expected.backward(torch.tensor(grad_output))
        np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("output_size", [1, (2, 3), (3, 4)])
def test_adaptive_avg_pool_gradcheck(rng, output_size):
    x = Tensor(rng.standard_normal((2, 2, 5, 7)), requires_grad=True)
    assert gradcheck(lambda t: adaptive_avg_pool2d(t, output_size), x)


def test_averaging_matrix_uses_overlapping_windows_when_sizes_do_not_divide():
    # 5 -> 3: windows [0, 2), [1, 4), [3, 5)
    np.testing.assert_allclose(averaging_matrix(5, 3), [[1 / 2, 1 / 2, 0, 0, 0],
                                                        [0, 1 / 3, 1 / 3, 1 / 3, 0],
                                                        [0, 0, 0, 1 / 2, 1 / 2]])


def test_global_avg_pool_is_the_mean_of_each_map(rng):
    x = Tensor(rng.standard_normal((3, 4, 5, 2)), requires_grad=True)
    np.testing.assert_allclose(global_avg_pool2d(x).data, x.data.mean(axis=(2, 3)))
    assert gradcheck(global_avg_pool2d, x, fast=True)


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 2), ((2, 3), 1)])
def test_pools_match_pytorch(torch, rng, kernel, stride):
    x = rng.standard_normal((2, 3, 8, 7))
    F = torch.nn.functional
    pairs = [(lambda t: max_pool2d(t, kernel, stride), lambda t: F.max_pool2d(t, kernel, stride)),
             (lambda t: avg_pool2d(t, kernel, stride), lambda t: F.avg_pool2d(t, kernel, stride)),
             (lambda t: adaptive_avg_pool2d(t, kernel), lambda t: F.adaptive_avg_pool2d(t, kernel))]
    for ours, theirs in pairs:
        mine, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = ours(mine), theirs(reference)
        grad_output = rng.standard_normal(out.shape)
        out.backward(grad_output)
        expected.backward(torch.tensor(grad_output))
        np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), atol=1e-12)


def test_max_pool_ties_route_to_the_first_maximum_like_pytorch(torch):
    x = np.ones((1, 1, 4, 4))
    mine, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    max_pool2d(mine, 2).sum().backward()
    torch.nn.functional.max_pool2d(reference, 2).sum().backward()
    np.testing.assert_array_equal(mine.grad, reference.grad.numpy())


@pytest.mark.parametrize("call, message", [
    (lambda x: max_pool2d(x[0], 2),
     r"max_pool2d: input must be 4-d \(N, C, H, W\), got shape \(1, 3, 3\)"),
    (lambda x: avg_pool2d(x, 4), r"avg_pool2d: kernel \(4, 4\) is larger than the padded input "
                                 r"\(3, 3\) \(input \(1, 1, 3, 3\)\)"),
    (lambda x: max_pool2d(x, 2, stride=0), r"max_pool2d: stride must be >= 1, got 0"),
    (lambda x: max_pool2d(x, 3, padding=2),
     r"max_pool2d: padding \(2, 2\) must be at most half of the kernel \(3, 3\)"),
    (lambda x: avg_pool2d(x, (2, 3), padding=(1, 2)),
     r"avg_pool2d: padding \(1, 2\) must be at most half of the kernel \(2, 3\)"),
    (lambda x: avg_pool2d(x, 2, padding=-1), r"avg_pool2d: padding must be >= 0, got -1"),
    (lambda x: adaptive_avg_pool2d(x, 4), r"adaptive_avg_pool2d: output_size \(4, 4\) is larger"),
    (lambda x: global_avg_pool2d(x[0]), r"global_avg_pool2d: input must be 4-d"),
])
def test_pool_errors_name_the_op_and_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call(Tensor(np.zeros((1, 1, 3, 3))))
