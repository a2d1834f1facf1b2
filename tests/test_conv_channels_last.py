"""ops/channels_last.py: the layout moves conv2d makes change no number, and keep the memory
channels-last from one layer to the next."""
import numpy as np
import pytest

import nets
from tinygrad_res import Tensor, batch_norm, conv2d
from tinygrad_res.ops.channels_last import (PerChannel, channels_last, images_from_rows,
                                            kernel_from_matrix, kernel_matrix, kernel_taps,
                                            patch_matrix, patches_from_taps, rows_from_images)
from tinygrad_res.ops.conv import windows


def is_channels_last(a: np.ndarray) -> bool:
    return a.transpose(0, 2, 3, 1).flags.c_contiguous


@pytest.mark.parametrize("size, offset", [((7, 8), (2, 1)), ((1, 3), (-1, -2)), ((3, 4), (0, 0)),
                                          ((2, 2), (5, 0))])
def test_channels_last_pads_and_crops_like_slicing_a_padded_array(rng, size, offset):
    x = rng.standard_normal((2, 3, 3, 4))
    big = np.pad(x, ((0, 0), (0, 0), (8, 8), (8, 8)))  # the reference: pad a lot, then slice
    rows, cols = slice(8 - offset[0], 8 - offset[0] + size[0]), slice(8 - offset[1],
                                                                      8 - offset[1] + size[1])
    out = channels_last(x, size, offset)
    assert out.shape == (2,) + size + (3,)
    np.testing.assert_array_equal(out, big[:, :, rows, cols].transpose(0, 2, 3, 1))


def test_channels_last_returns_channels_last_memory_as_is(rng):
    x = np.ascontiguousarray(rng.standard_normal((2, 4, 3, 3)).transpose(0, 2, 3, 1))
    assert np.shares_memory(channels_last(x.transpose(0, 3, 1, 2), (3, 3), (0, 0)), x)
    assert not np.shares_memory(channels_last(x.transpose(0, 3, 1, 2), (5, 5), (1, 1)), x)
    nchw = np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # NCHW memory: copied into NHWC
    np.testing.assert_array_equal(channels_last(nchw, (3, 3), (0, 0)), x)


@pytest.mark.parametrize("kernel, stride, dilation, groups", [
    ((3, 3), (1, 1), (1, 1), 1), ((2, 3), (2, 1), (2, 1), 1), ((3, 2), (1, 2), (1, 2), 2),
    ((1, 1), (2, 2), (1, 1), 4)])
def test_patch_matrix_holds_the_windows_of_each_group(rng, kernel, stride, dilation, groups):
    x = rng.standard_normal((2, 4, 7, 6))
    cols, (oh, ow) = patch_matrix(np.ascontiguousarray(x.transpose(0, 2, 3, 1)), kernel, stride,
                                  dilation, groups)
    reference = windows(x, kernel, stride, dilation)  # (N, C, OH, OW, kh, kw), NCHW
    assert reference.shape[2:4] == (oh, ow)
    part = 4 // groups
    for g in range(groups):
        patches = reference[:, g * part:(g + 1) * part].transpose(0, 2, 3, 4, 5, 1)
        np.testing.assert_array_equal(cols[g], patches.reshape(2 * oh * ow, -1))


def test_kernel_matrix_and_back(rng):
    weight = rng.standard_normal((6, 2, 3, 2))
    matrix = kernel_matrix(weight, 3)
    assert matrix.shape == (3, 3 * 2 * 2, 2)
    # group 1, tap (2, 0), input channel 1, output channel 0 of the group: weight[2, 1, 2, 0]
    assert matrix[1, (2 * 2 + 0) * 2 + 1, 0] == weight[2, 1, 2, 0]
    np.testing.assert_array_equal(kernel_from_matrix(matrix, weight.shape), weight)
    taps = kernel_taps(weight, 3)
    assert taps.shape == (3, 6, 2, 2) and taps[1, 2 * 2 + 0, 0, 1] == weight[2, 1, 2, 0]


def test_rows_and_images_are_inverse(rng):
    images = rng.standard_normal((2, 6, 3, 4))
    rows = rows_from_images(images, 3)
    assert rows.shape == (3, 2 * 3 * 4, 2)
    assert rows[2, (1 * 3 + 2) * 4 + 3, 1] == images[1, 2 * 2 + 1, 2, 3]
    np.testing.assert_array_equal(images_from_rows(rows, 2, 3, 4), images)
    assert is_channels_last(images_from_rows(rows_from_images(images, 1), 2, 3, 4))


def test_patches_from_taps_lays_each_tap_under_its_patch(rng):
    shares = rng.standard_normal((2, 3 * 2, 1 * 2 * 2, 5))  # groups, taps, pixels, channels
    patches = patches_from_taps(shares, (1, 99, 2, 2), (3, 2))
    assert patches.shape == (1, 10, 2, 2, 3, 2)
    # group 1, tap (2, 1), pixel (1, 0), channel 3 of the group
    assert patches[0, 5 + 3, 1, 0, 2, 1] == shares[1, 2 * 2 + 1, 1 * 2 + 0, 3]


def test_a_conv_net_keeps_channels_last_memory_and_matches_contiguous_inputs(rng):
    x = rng.standard_normal((2, 3, 6, 6))
    w1, w2 = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal((4, 4, 3, 3))
    h = conv2d(Tensor(x), Tensor(w1), padding=1)
    assert h.shape == (2, 4, 6, 6) and is_channels_last(h.data)
    h2 = batch_norm(h, np.zeros(4), np.ones(4), training=True).relu()
    assert is_channels_last(h2.data)  # elementwise ops keep the memory order
    out = conv2d(h2, Tensor(w2), padding=1)
    reference = conv2d(Tensor(np.ascontiguousarray(h2.data)), Tensor(w2), padding=1)
    np.testing.assert_allclose(out.data, reference.data, rtol=1e-13, atol=1e-13)


def test_resnet_gradients_do_not_depend_on_memory_order(rng):
    model = nets.ResNet(8, seed=0)
    x = rng.standard_normal((4, 1, 8, 8))
    model(Tensor(x)).sum().backward()
    grads = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    # the same images as an NCHW view of channels-last memory
    viewed = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    model(Tensor(viewed)).sum().backward()
    for before, after in zip(grads, (p.grad for p in model.parameters())):
        np.testing.assert_allclose(after, before, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(4, 16, 8, 8), (3, 5, 7, 7), (2, 70, 3, 3), (1, 1, 1, 1)])
def test_per_channel_rows_hold_whole_pixels_and_give_the_per_channel_sums(rng, shape):
    x = rng.standard_normal(shape)
    last = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    vector = rng.standard_normal(shape[1])
    for a in (x, last):
        layout = PerChannel(a)
        flat = layout.flat(a)
        # rows for channels-last memory with few channels only, a view of the same memory
        pixels_contiguous = a.transpose(0, 2, 3, 1).flags.c_contiguous  # true for `last`
        assert bool(layout.k) == (pixels_contiguous and shape[1] < PerChannel.SHORT)
        assert np.shares_memory(flat, a)
        np.testing.assert_array_equal(layout.shaped(flat * layout.spread(vector)),
                                      x * vector.reshape(1, -1, 1, 1))
        np.testing.assert_allclose(layout.sum(flat), x.sum(axis=(0, 2, 3)), rtol=1e-12)
        np.testing.assert_allclose(layout.sum(flat, flat), (x * x).sum(axis=(0, 2, 3)),
                                   rtol=1e-12)
        # an array of another memory order is brought to this one's
        other = x if a is last else last
        np.testing.assert_array_equal(layout.shaped(layout.flat(other)), x)
