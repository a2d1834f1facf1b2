"""Where a convolution's numbers sit in memory: images channels-last, so that im2col is a strided
view plus one fast copy. Layout only, no arithmetic: conv.py reads the same with or without it.

Tensors keep PyTorch's NCHW shapes; only the memory order changes. In an (N, H, W, C) array the
channels of a pixel are neighbours, so a (kh, kw, C) patch is kh runs of kw * C numbers, and
copying every patch into the im2col matrix moves long runs instead of single numbers. A
convolution returns its output as an NCHW view of (N, H, W, C) memory; the next layer's
elementwise ops keep that order, and the next convolution finds its input channels-last already.

    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)                  # N, C, H, W
    >>> channels_last(x, size=(2, 2), offset=(0, 0))[0, 0, 1]   # pixel (0, 1): both channels
    array([1., 5.])
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def _placement(length: int, size: int, offset: int) -> tuple:
    """(source slice, target slice) of one axis: entry y goes to offset + y when that lies in
    [0, size); the others are dropped."""
    first, last = max(0, -offset), min(length, size - offset)
    if last <= first:
        return slice(0, 0), slice(0, 0)
    return slice(first, last), slice(offset + first, offset + last)


def channels_last(x: np.ndarray, size: tuple, offset: tuple) -> np.ndarray:
    """(N, C, H, W) -> zeros of (N, *size, C) holding x[n, c, y, x] at
    [n, offset[0] + y, offset[1] + x, c]: zero padding (offset p, size H + 2p). An entry that
    falls outside is dropped (a negative offset crops). Without padding, an input already
    channels-last in memory is returned as a view, not copied."""
    n, c, h, w = x.shape
    if tuple(size) == (h, w) and tuple(offset) == (0, 0):
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    out = np.zeros((n, size[0], size[1], c), dtype=x.dtype)
    rows, target_rows = _placement(h, size[0], offset[0])
    cols, target_cols = _placement(w, size[1], offset[1])
    out[:, target_rows, target_cols, :] = x[:, :, rows, cols].transpose(0, 2, 3, 1)
    return out


def patch_matrix(images: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
                 groups: int) -> tuple:
    """im2col of channels-last images (N, H, W, C): (cols, (OH, OW)) with cols of shape
    (groups, N * OH * OW, kh * kw * C / groups): one row per output pixel, the columns of a
    row (i, j, c) its patch, entry (i, j) of the kernel reading pixel (s*y + d*i, s*x + d*j).
    The patches are a strided view of the images; the reshape makes the one copy."""
    n, h, w, c = images.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh, ow = (h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1
    # (N, OH, OW, kh, kw, C): patch (y, x) starts at pixel (s*y, s*x); tap (i, j) is d*(i, j)
    # further. as_strided and not sliding_window_view: the same view at a third of the cost
    step_n, step_h, step_w, step_c = images.strides
    view = as_strided(images, (n, oh, ow, kh, kw, groups, c // groups),
                      (step_n, sh * step_h, sw * step_w, dh * step_h, dw * step_w,
                       c // groups * step_c, step_c), writeable=False)
    cols = view.transpose(5, 0, 1, 2, 3, 4, 6).reshape(groups, n * oh * ow, -1)
    return cols, (oh, ow)


def kernel_matrix(weight: np.ndarray, groups: int) -> np.ndarray:
    """(O, C / groups, kh, kw) -> (groups, kh * kw * C / groups, O / groups), rows ordered
    (i, j, c) like the columns of `patch_matrix`: cols @ kernel_matrix is the convolution."""
    o, cg, kh, kw = weight.shape
    return weight.reshape(groups, o // groups, cg, kh, kw).transpose(0, 3, 4, 2, 1) \
        .reshape(groups, kh * kw * cg, o // groups)


def kernel_from_matrix(matrix: np.ndarray, shape: tuple) -> np.ndarray:
    """The inverse of `kernel_matrix`: (groups, kh * kw * Cg, Og) -> weight-shaped (O, Cg, kh,
    kw), for the weight's gradient."""
    groups, _, og = matrix.shape
    _, cg, kh, kw = shape
    return matrix.reshape(groups, kh, kw, cg, og).transpose(0, 4, 3, 1, 2).reshape(shape)


def images_from_rows(rows: np.ndarray, n: int, oh: int, ow: int) -> np.ndarray:
    """(groups, N * OH * OW, Og) -> an (N, groups * Og, OH, OW) view of channels-last memory
    (copied only when there are several groups, to put each pixel's channels side by side)."""
    groups, _, og = rows.shape
    pixels = rows.reshape(groups, n, oh, ow, og).transpose(1, 2, 3, 0, 4)
    return pixels.reshape(n, oh, ow, groups * og).transpose(0, 3, 1, 2)


def rows_from_images(images: np.ndarray, groups: int) -> np.ndarray:
    """(N, O, OH, OW) -> (groups, N * OH * OW, O / groups): one row per pixel, as the product in
    `convolve` made them; no copy for an image channels-last in memory and one group."""
    n, o, oh, ow = images.shape
    pixels = images.transpose(0, 2, 3, 1).reshape(n, oh, ow, groups, o // groups)
    return pixels.transpose(3, 0, 1, 2, 4).reshape(groups, n * oh * ow, o // groups)


def kernel_taps(weight: np.ndarray, groups: int) -> np.ndarray:
    """(O, C / groups, kh, kw) -> (groups, kh * kw, Og, Cg): the kernel one tap (i, j) at a time,
    a matrix from a group's output channels to its input channels. A contiguous copy, as BLAS
    wants it."""
    o, cg, kh, kw = weight.shape
    taps = weight.reshape(groups, o // groups, cg, kh * kw).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(taps)


def patches_from_taps(shares: np.ndarray, output_shape: tuple, kernel: tuple) -> np.ndarray:
    """(groups, kh * kw, N * OH * OW, Cg) -> (N, C, OH, OW, kh, kw), the layout col2im reads:
    for one group a channels-last view of the same memory, for several a copy."""
    groups, _, _, cg = shares.shape
    n, _, oh, ow = output_shape
    view = shares.reshape(groups, kernel[0], kernel[1], n, oh, ow, cg).transpose(3, 0, 6, 4, 5,
                                                                                 1, 2)
    return view.reshape(n, groups * cg, oh, ow, kernel[0], kernel[1])
