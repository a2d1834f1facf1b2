"""batch_norm: hand-derived statistics, finite differences, PyTorch parity, errors."""
import numpy as np
import pytest

from tinygrad_res import Tensor, batch_norm, gradcheck


def test_training_output_has_zero_mean_unit_variance_per_channel(rng):
    x = Tensor(3.0 + 2.0 * rng.standard_normal((8, 3, 4, 4)))
    out = batch_norm(x, None, None, training=True, eps=0.0).data
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1.0, atol=1e-12)


def test_running_statistics_by_hand():
    # one channel, values 1, 2, 3, 6: mean 3, biased var 3.5, unbiased var 3.5 * 4 / 3
    x = Tensor(np.array([1.0, 2.0, 3.0, 6.0]).reshape(4, 1))
    running_mean, running_var = np.zeros(1), np.ones(1)
    batch_norm(x, running_mean, running_var, training=True, momentum=0.25)
    np.testing.assert_allclose(running_mean, [0.25 * 3.0])
    np.testing.assert_allclose(running_var, [0.75 * 1.0 + 0.25 * 3.5 * 4 / 3])
    # eval uses the running estimates: (x - mean) / sqrt(var + eps) * gamma + beta
    out = batch_norm(x, running_mean, running_var, Tensor([2.0]), Tensor([0.5]), eps=0.0)
    np.testing.assert_allclose(out.data, (x.data - 0.75) / np.sqrt(running_var) * 2.0 + 0.5)


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 5), (2, 3, 3, 2), "channels_last"])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck(rng, shape, training):
    if shape == "channels_last":  # 3 * 7 * 5 = 105 pixels: rows of 35 (the largest divisor)
        x = channels_last_copy(rng.standard_normal((3, 7, 7, 5)))
    else:
        x = rng.standard_normal(shape)
    channels = x.shape[1]
    x = Tensor(x, requires_grad=True)
    gamma = Tensor(rng.standard_normal(channels), requires_grad=True)
    beta = Tensor(rng.standard_normal(channels), requires_grad=True)
    mean, var = rng.standard_normal(channels), rng.uniform(0.5, 2.0, channels)

    def fn(x, gamma, beta):
        # fresh copies: training mode updates the running arrays in place on every evaluation
        return batch_norm(x, mean.copy(), var.copy(), gamma, beta, training=training)
    assert gradcheck(fn, x, gamma, beta)


def channels_last_copy(a: np.ndarray) -> np.ndarray:
    """The same (N, C, H, W) values as an NCHW view of channels-last memory, as convolutions
    make them (batch_norm then computes on rows of pixels: tinygrad_res/ops/channels_last.py)."""
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("memory", ["nchw", "channels_last", "grad_in_other_order"])
def test_batch_norm_matches_pytorch(torch, rng, training, memory):
    x, gamma, beta = rng.standard_normal((5, 3, 4, 3)), rng.standard_normal(3), \
        rng.standard_normal(3)
    if memory != "nchw":
        x = channels_last_copy(x)  # 60 pixels of 3 channels: rows of 60 pixels
    running = [rng.standard_normal(3), rng.uniform(0.5, 2.0, 3)]
    torch_running = [torch.tensor(r) for r in running]
    ours = [Tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    out = batch_norm(ours[0], *running, *ours[1:], training=training, momentum=0.3, eps=1e-3)
    expected = torch.nn.functional.batch_norm(theirs[0], *torch_running, *theirs[1:],
                                              training=training, momentum=0.3, eps=1e-3)
    grad_output = rng.standard_normal(out.shape)
    if memory == "channels_last":
        grad_output = channels_last_copy(grad_output)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), atol=1e-12)
    for mine, reference in zip(running, torch_running):
        np.testing.assert_allclose(mine, reference.numpy(), atol=1e-12)


def test_running_stats_given_as_tensors_are_updated_in_place(rng):
    running_mean = Tensor(np.zeros(2))
    batch_norm(Tensor(rng.standard_normal((4, 2)) + 5.0), running_mean, None, training=True)
    assert np.all(running_mean.data > 0.3)


@pytest.mark.parametrize("call, error, message", [
    (lambda x: batch_norm(x, np.zeros(2), np.ones(2)), ValueError,
     r"batch_norm: running_mean \(2,\) does not match the 3 channels of input \(4, 3, 2, 2\)"),
    (lambda x: batch_norm(x, None, None, Tensor(np.ones(4)), training=True), ValueError,
     r"batch_norm: weight \(4,\) does not match the 3 channels"),
    (lambda x: batch_norm(x, None, None), ValueError,
     r"batch_norm: eval mode \(training=False\) needs running_mean and running_var"),
    (lambda x: batch_norm(x[:1, :, :1, :1], None, None, training=True), ValueError,
     r"batch_norm: training needs more than 1 value per channel, got input \(1, 3, 1, 1\)"),
    (lambda x: batch_norm(x, [0.0, 0.0, 0.0], None), TypeError,
     r"batch_norm: running_mean must be a float numpy array, a Tensor or None, got list"),
])
def test_batch_norm_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(Tensor(np.zeros((4, 3, 2, 2))))
