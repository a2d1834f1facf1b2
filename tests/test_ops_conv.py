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


@pytest.mark.task_6_1
def test_col2im_with_dilated_taps_is_the_adjoint_of_dilated_windows(rng):
    x = rng.standard_normal((2, 2, 9, 8))
    for kernel, stride, dilation in [((3, 3), (1, 1), (2, 2)), ((2, 3), (2, 1), (3, 2))]:
        view = windows(x, kernel, stride, dilation)
        c = rng.standard_normal(view.shape)
        assert np.isclose((view * c).sum(),
                          (x * col2im(c, x.shape, stride, dilation)).sum())


@pytest.mark.task_6_1
def test_col2im_by_hand_and_in_any_memory_order():
    # two 1x2 windows of stride 1 over a row of three pixels: the middle pixel is read twice
    cols = np.array([10.0, 1.0, 20.0, 2.0]).reshape(1, 1, 1, 2, 1, 2)
    np.testing.assert_array_equal(col2im(cols, (1, 1, 1, 3), (1, 1)).ravel(), [10, 21, 2])
    # patches handed in channels-last (as a convolution does): the same numbers
    patches = np.random.default_rng(0).standard_normal((2, 4, 3, 3, 2, 2))
    last = np.ascontiguousarray(patches.transpose(0, 2, 3, 4, 5, 1)).transpose(0, 5, 1, 2, 3, 4)
    np.testing.assert_allclose(col2im(last, (2, 4, 4, 4), (1, 1)),
                               col2im(patches, (2, 4, 4, 4), (1, 1)), rtol=1e-15)


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
@pytest.mark.parametrize("options", [{"dilation": 2, "padding": 2}, {"groups": 2, "stride": 2},
                                     {"groups": 4, "padding": 1}, {"padding": 4}])
def test_conv2d_dilation_groups_gradcheck(rng, options):
    groups = options.get("groups", 1)
    x = Tensor(rng.standard_normal((2, 4, 5, 6)), requires_grad=True)
    weight = Tensor(rng.standard_normal((4, 4 // groups, 3, 2)), requires_grad=True)
    bias = Tensor(rng.standard_normal(4), requires_grad=True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, **options), x, weight, bias)


def test_depthwise_conv2d_by_hand():
    # groups = channels: each channel is convolved with its own kernel, nothing is mixed
    x = Tensor(np.stack([np.ones((3, 3)), 2 * np.ones((3, 3))])[None])      # (1, 2, 3, 3)
    w = Tensor(np.stack([np.ones((1, 2, 2)), -np.ones((1, 2, 2))]))         # (2, 1, 2, 2)
    np.testing.assert_array_equal(conv2d(x, w, groups=2).data,
                                  [[np.full((2, 2), 4.0), np.full((2, 2), -8.0)]])


def test_dilated_conv2d_by_hand():
    # a 2x2 kernel of ones with dilation 2 sums the four corners of each 3x3 window
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out = conv2d(Tensor(x), Tensor(np.ones((1, 1, 2, 2))), dilation=2).data
    expected = [[x[0, 0, i, j] + x[0, 0, i, j + 2] + x[0, 0, i + 2, j] + x[0, 0, i + 2, j + 2]
                 for j in range(2)] for i in range(2)]
    np.testing.assert_array_equal(out[0, 0], expected)


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
    ((1, 1, 4, 4), (1, 1, 3, 3), {"dilation": 0}, r"conv2d: dilation must be >= 1, got 0"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"dilation": 2},
     r"conv2d: kernel \(3, 3\) with dilation \(2, 2\) spans \(5, 5\) and is larger than the "
     r"padded input \(4, 4\) \(input \(1, 1, 4, 4\)\)"),
    ((1, 4, 8, 8), (4, 2, 3, 3), {"groups": 0}, r"conv2d: groups must be a positive int, got 0"),
    ((1, 4, 8, 8), (4, 2, 3, 3), {"groups": 1.5},
     r"conv2d: groups must be a positive int, got 1.5"),
    ((1, 4, 8, 8), (3, 2, 3, 3), {"groups": 2},
     r"conv2d: weight \(3, 2, 3, 3\) has 3 output channels, which groups=2 does not divide"),
    ((1, 5, 8, 8), (4, 3, 3, 3), {"groups": 2},
     r"conv2d: input \(1, 5, 8, 8\) has 5 channels but weight \(4, 3, 3, 3\) with groups=2 "
     r"expects 6 \(weight is \(out, in / groups, kh, kw\)\)"),
])
def test_conv2d_shape_errors_name_the_op_and_shapes(x_shape, w_shape, options, message):
    with pytest.raises(ValueError, match=message):
        conv2d(Tensor(np.zeros(x_shape)), Tensor(np.zeros(w_shape)), **options)


def test_conv2d_bias_shape_error():
    with pytest.raises(ValueError, match=r"conv2d: bias \(3,\) does not fit weight \(2, 1, 1, 1\)"):
        conv2d(Tensor(np.zeros((1, 1, 2, 2))), Tensor(np.zeros((2, 1, 1, 1))),
               Tensor(np.zeros(3)))
