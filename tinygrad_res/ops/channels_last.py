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


class PerChannel:
    """How per-channel (C,) vectors meet an (N, C, ...) array in elementwise arithmetic and sums.

    The plain way broadcasts a (1, C, 1, 1) vector. On channels-last memory (a convolution's
    output) numpy's inner loop then runs along C alone: 4096 loops of 16 numbers for a
    (64, 16, 8, 8) batch, about twice the time of the same arithmetic in long loops. So such an
    array is taken as rows of k whole pixels, a (pixels / k, k * C) view with the vectors tiled k
    times: the same numbers, the same products, in loops of k * C. Any other layout broadcasts.

        >>> x = np.zeros((2, 4, 4, 3)).transpose(0, 3, 1, 2)      # (N, C, H, W), channels-last
        >>> layout = PerChannel(x)                 # 32 pixels: one row of all 32 (<= 256 // 3)
        >>> layout.flat(x).shape, layout.spread(np.arange(3.0))[:7]
        ((1, 96), array([0., 1., 2., 0., 1., 2., 0.]))
    """

    ROW = 256  # numbers in a row: long enough for numpy's loops
    SHORT = 64  # channels fewer than this make a loop too short to pay for the change

    def __init__(self, x: np.ndarray) -> None:
        self.shape, channels = x.shape, x.shape[1]
        self.k = 0  # pixels per row; 0: broadcast (1, C, 1, ...) vectors
        if x.ndim == 4 and 0 < channels < self.SHORT and x.size and \
                x.transpose(0, 2, 3, 1).flags.c_contiguous:
            pixels = x.size // channels
            k = min(pixels, self.ROW // channels)
            while pixels % k:  # whole rows: k divides the pixels (k = 1 always does)
                k -= 1
            self.k = k
            self.tiled = np.arange(self.k * channels) % channels  # entry j of a row: channel

    def flat(self, a: np.ndarray) -> np.ndarray:
        """`a` (of x's shape) as this layout computes with it: rows of pixels (a view for
        channels-last memory, else a copy), or as it is."""
        if not self.k:
            return a
        return a.transpose(0, 2, 3, 1).reshape(-1, self.k * self.shape[1])

    def spread(self, vector: np.ndarray) -> np.ndarray:
        """A (C,) vector shaped to meet `flat` arrays: tiled along a row, or (1, C, 1, 1)."""
        if self.k:
            return vector[self.tiled]
        return vector.reshape((1, -1) + (1,) * (len(self.shape) - 2))

    def sum(self, a: np.ndarray, b=None) -> np.ndarray:
        """The per-channel (C,) sum of a flat array (or of a * b, two flat arrays)."""
        if not self.k:
            # einsum adds the products as it goes (no a * b array) in any memory order, where
            # ndarray.sum over axes (0, 2, 3) is several times slower
            axes = list(range(a.ndim))
            return np.einsum(a, axes, [1]) if b is None else np.einsum(a, axes, b, axes, [1])
        rows = np.einsum("rj->j", a) if b is None else np.einsum("rj,rj->j", a, b)
        return rows.reshape(self.k, -1).sum(axis=0)

    def shaped(self, a: np.ndarray) -> np.ndarray:
        """A flat array back in x's (N, C, ...) shape (a view)."""
        if not self.k:
            return a
        n, c, h, w = self.shape
        return a.reshape(n, h, w, c).transpose(0, 3, 1, 2)
