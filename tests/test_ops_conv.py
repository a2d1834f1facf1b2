"""conv2d: hand-derived values, finite differences, PyTorch parity, the im2col adjoint, errors."""
import numpy as np
import pytest

from tinygrad_res import Tensor, conv2d, gradcheck
from tinygrad_res.ops.conv import col2im, windows


def test_conv2d_matches_a_hand_computed_example():
    # A 2x2 kernel of ones sums each 2x2 patch of 0..8 laid out as a 3x3 image; bias adds 1.
    x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    weight = Tensor(np.ones((1, 1, 2, 2)))
    out = conv2d(x, weight, Tensor([1.0]))
    np.testing.assert_array_equal(out.data, [[[[0 + 1 + 3 + 4 + 1, 1 + 2 + 4 + 5 + 1],
                                                [3 + 4 + 6 + 7 + 1, 4 + 5 + 7 + 8 + 1]]]])


def test_conv2d_padding_and_stride_by_hand():
    # padding 1 puts zeros around a 2x2 image of ones; a 3x3 kernel of ones with stride 2 then
    # reads only the top-left window, whose 4 nonzero entries are the whole image.
    out = conv2d(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.ones((1, 1, 3, 3))), stride=2, padding=1)
    np.testing.assert_array_equal(out.data, [[[[4.0]]]])


@pytest.mark.task_6_2
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((2, 1), (0, 2)), (3, 1)])
def test_conv2d_gradcheck(rng, stride, padding):
    # odd sizes: 5x4 images, a 3x2 kernel, 3 output channels
    x = Tensor(rng.standard_normal((2, 2, 5, 4)), requires_grad=True)
    weight = Tensor(rng.standard_normal((3, 2, 3, 2)), requires_grad=True)
    bias = Tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride=stride, padding=padding),
                     x, weight, bias)


@pytest.mark.task_6_2
def test_conv2d_without_bias_gradcheck_1x1_kernel(rng):
    x = Tensor(rng.standard_normal((2, 3, 3, 3)), requires_grad=True)
    weight = Tensor(rng.standard_normal((2, 3, 1, 1)), requires_grad=True)
    assert gradcheck(lambda x, w: conv2d(x, w, stride=2), x, weight)


@pytest.mark.task_6_1
def test_windows_and_col2im_are_adjoint(rng):
    # <windows(x), c> == <x, col2im(c)>: col2im is exactly the transpose of the patch read
    x = rng.standard_normal((2, 3, 7, 6))
    for kernel, stride in [((3, 3), (1, 1)), ((2, 3), (2, 1)), ((3, 2), (3, 2))]:
        view = windows(x, kernel, stride)
        c = rng.standard_normal(view.shape)
        assert np.isclose((view * c).sum(), (x * col2im(c, x.shape, stride)).sum())


@pytest.mark.task_6_2
@pytest.mark.parametrize("stride, padding", [(1, 1), (2, 0), ((1, 2), (2, 1))])
def test_conv2d_matches_pytorch(torch, rng, stride, padding):
    x, w, b = rng.standard_normal((3, 4, 9, 7)), rng.standard_normal((5, 4, 3, 3)), \
        rng.standard_normal(5)
    ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = conv2d(*ours, stride=stride, padding=padding)
    expected = torch.nn.functional.conv2d(*theirs, stride=stride, padding=padding)
    grad_output = rng.standard_normal(out.shape)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), atol=1e-12)


@pytest.mark.task_6_2
def test_conv2d_keeps_float32(rng):
    x = Tensor(rng.standard_normal((1, 2, 4, 4)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 2, 3, 3)).astype(np.float32), requires_grad=True)
    out = conv2d(x, w, padding=1)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32 and w.grad.dtype == np.float32


@pytest.mark.parametrize("x_shape, w_shape, options, message", [
    ((3, 8, 8), (4, 3, 3, 3), {},
     r"conv2d: input must be 4-d \(N, C, H, W\), got shape \(3, 8, 8\)"),
    ((2, 3, 8, 8), (4, 5, 3, 3), {},
     r"conv2d: input \(2, 3, 8, 8\) has 3 channels but weight \(4, 5, 3, 3\) expects 5"),
    ((1, 1, 2, 2), (1, 1, 5, 5), {"padding": 1},
     r"conv2d: kernel \(5, 5\) is larger than the padded input \(4, 4\) "
     r"\(input \(1, 1, 2, 2\) with padding \(1, 1\)\)"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"stride": 0}, r"conv2d: stride must be >= 1, got 0"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"padding": -1}, r"conv2d: padding must be >= 0, got -1"),
])
def test_conv2d_shape_errors_name_the_op_and_shapes(x_shape, w_shape, options, message):
    with pytest.raises(ValueError, match=message):
        conv2d(Tensor(np.zeros(x_shape)), Tensor(np.zeros(w_shape)), **options)


def test_conv2d_bias_shape_error():
    with pytest.raises(ValueError, match=r"conv2d: bias \(3,\) does not fit weight \(2, 1, 1, 1\)"):
        conv2d(Tensor(np.zeros((1, 1, 2, 2))), Tensor(np.zeros((2, 1, 1, 1))),
               Tensor(np.zeros(3)))
