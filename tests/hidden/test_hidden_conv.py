"""Hidden tests of assignment 6 (never in a handout; `grade` and the autograder run them).

col2im and conv2d's backward against loops written out entry by entry (the slow, obvious
reference), with weighted output gradients, strides larger than the kernel (pixels never
read), dilation, groups, padding, a frozen input or weight, and float32.
"""
import numpy as np
import pytest

from tinygrad_res import Tensor, conv2d
from tinygrad_res.function import backprop
from tinygrad_res.ops.conv import col2im


def col2im_loops(cols, input_shape, stride, dilation=(1, 1)):
    out = np.zeros(input_shape, dtype=cols.dtype)
    n, c, oh, ow, kh, kw = cols.shape
    for y in range(oh):
        for x in range(ow):
            for i in range(kh):
                for j in range(kw):
                    out[:, :, stride[0] * y + dilation[0] * i, stride[1] * x + dilation[1] * j] \
                        += cols[:, :, y, x, i, j]
    return out


@pytest.mark.task_6_1
@pytest.mark.parametrize("shape, kernel, stride, dilation", [
    ((1, 1, 5, 5), (2, 2), (3, 3), (1, 1)),     # stride > kernel: pixels never read get 0
    ((2, 3, 6, 7), (3, 2), (1, 2), (1, 1)),
    ((1, 2, 9, 8), (2, 3), (2, 1), (3, 2)),
    ((2, 1, 4, 4), (1, 1), (1, 1), (1, 1)),
    ((1, 1, 7, 3), (3, 1), (2, 1), (2, 1))], ids=str)
def test_col2im_adds_every_entry_onto_its_pixel(shape, kernel, stride, dilation):
    rng = np.random.default_rng(13)
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    oh, ow = [(size - s) // st + 1 for size, s, st in zip(shape[2:], span, stride)]
    cols = rng.standard_normal(shape[:2] + (oh, ow) + kernel)
    got = col2im(cols, shape, stride, dilation)
    assert got.shape == shape
    np.testing.assert_allclose(got, col2im_loops(cols, shape, stride, dilation), rtol=1e-13,
                               atol=1e-14)


@pytest.mark.task_6_1
def test_col2im_keeps_float32_and_leaves_unread_pixels_zero():
    cols = np.ones((1, 1, 2, 2, 1, 1), dtype=np.float32)
    got = col2im(cols, (1, 1, 4, 4), (3, 3))
    assert got.dtype == np.float32
    expected = np.zeros((4, 4), dtype=np.float32)
    expected[::3, ::3] = 1.0
    np.testing.assert_array_equal(got[0, 0], expected)


@pytest.mark.task_6_1
def test_col2im_sums_overlaps_of_a_full_window_stack():
    # a 3x3 kernel at stride 1 over 4x4: the centre pixels are read by 4 windows each
    cols = np.ones((1, 1, 2, 2, 3, 3))
    np.testing.assert_array_equal(col2im(cols, (1, 1, 4, 4), (1, 1))[0, 0],
                                  [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


def conv2d_loops(x, w, b, stride, padding, dilation, groups, g):
    """(dx, dw, db) of sum(g * conv2d(x, w, b)), written out one product at a time."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    og = o // groups
    for k in range(o):
        first = (k // og) * cg
        for y in range(g.shape[2]):
            for xx in range(g.shape[3]):
                for i in range(kh):
                    for j in range(kw):
                        row, col = stride[0] * y + dilation[0] * i, stride[1] * xx + dilation[1] * j
                        for ci in range(cg):
                            dw[k, ci, i, j] += (g[:, k, y, xx] * xp[:, first + ci, row, col]).sum()
                            dxp[:, first + ci, row, col] += g[:, k, y, xx] * w[k, ci, i, j]
    dx = dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + wd]
    return dx, dw, g.sum(axis=(0, 2, 3))


CONV_CASES = {
    "stride 1, padding 1": dict(stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1),
    "stride 2 > kernel's 1 step": dict(stride=(3, 2), padding=(0, 1), dilation=(1, 1),
                                       groups=1),
    "dilation 2, padding 2": dict(stride=(1, 1), padding=(2, 2), dilation=(2, 2), groups=1),
    "dilated and strided": dict(stride=(2, 1), padding=(1, 0), dilation=(2, 1), groups=1),
    "groups 2, stride 2": dict(stride=(2, 2), padding=(1, 1), dilation=(1, 1), groups=2),
    "groups 2, stride 1": dict(stride=(1, 1), padding=(1, 0), dilation=(1, 1), groups=2),
    "dilation (2, 1), stride 1": dict(stride=(1, 1), padding=(1, 2), dilation=(2, 1),
                                      groups=1),
    "dilation (1, 2), groups 2, stride 1": dict(stride=(1, 1), padding=(0, 0),
                                                dilation=(1, 2), groups=2),
    "depthwise, stride 1": dict(stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=4),
}


@pytest.mark.task_6_2
@pytest.mark.parametrize("case", sorted(CONV_CASES))
def test_conv2d_backward_against_loops_with_a_weighted_gradient(case):
    options = CONV_CASES[case]
    rng = np.random.default_rng(14)
    groups = options["groups"]
    x = Tensor(rng.standard_normal((2, 4, 7, 6)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 4 // groups, 3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    out = conv2d(x, w, b, **options)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    dx, dw, db = conv2d_loops(x.data, w.data, b.data, options["stride"], options["padding"],
                              options["dilation"], groups, g)
    np.testing.assert_allclose(x.grad, dx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.grad, dw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad, db, rtol=1e-12)


@pytest.mark.task_6_2
@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_with_data_input_or_frozen_weight(stride):
    rng = np.random.default_rng(15)
    x_data, w_data = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 2, 2))
    x, w = Tensor(x_data), Tensor(w_data, requires_grad=True)  # the input is data
    out = conv2d(x, w, stride=stride)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    dx, dw, _ = conv2d_loops(x_data, w_data, None, (stride,) * 2, (0, 0), (1, 1), 1, g)
    assert x.grad is None
    np.testing.assert_allclose(w.grad, dw, rtol=1e-10, atol=1e-12)
    x, w = Tensor(x_data, requires_grad=True), Tensor(w_data)  # the weight is frozen
    conv2d(x, w, stride=stride).backward(g)
    assert w.grad is None
    np.testing.assert_allclose(x.grad, dx, rtol=1e-10, atol=1e-12)


@pytest.mark.task_6_2
@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_backward_keeps_float32_with_a_bias(stride):
    rng = np.random.default_rng(16)
    x = Tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 3, 3, 3)).astype(np.float32), requires_grad=True)
    b = Tensor(rng.standard_normal(2).astype(np.float32), requires_grad=True)
    out = conv2d(x, w, b, stride=stride, padding=1)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(g)
    assert {x.grad.dtype, w.grad.dtype, b.grad.dtype} == {np.dtype(np.float32)}
    dx, dw, db = conv2d_loops(x.data.astype(np.float64), w.data.astype(np.float64), None,
                              (stride,) * 2, (1, 1), (1, 1), 1, g.astype(np.float64))
    np.testing.assert_allclose(x.grad, dx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(w.grad, dw, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(b.grad, db, rtol=1e-4, atol=1e-4)


@pytest.mark.task_6_2
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("bias", [False, True], ids=["no-bias", "bias"])
def test_conv2d_computes_no_gradient_for_a_data_input(stride, bias):
    # as matmul and linear: the images of a first layer are data, and their gradient (the
    # largest product of the backward) is not computed
    rng = np.random.default_rng(17)
    x = Tensor(rng.standard_normal((1, 2, 5, 5)))
    w = Tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    inputs = (x, w, Tensor(rng.standard_normal(3), requires_grad=True)) if bias else (x, w)
    out = conv2d(*inputs, stride=stride)
    seen = []
    backprop(out, np.ones(out.shape), write_grad=False,
             on_step=lambda t, g, grads: seen.extend(grads) if t is out else None)
    assert seen[0] is None and seen[1].shape == w.shape
    assert len(seen) == len(inputs)
