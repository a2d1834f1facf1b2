"""nets.conv: Conv2d, BatchNorm2d (train/eval, running statistics) and the pooling modules."""
import numpy as np
import pytest

from nets.conv import AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, GlobalAvgPool2d, MaxPool2d
from tinygrad_res import Tensor, avg_pool2d, conv2d


def test_conv2d_module_holds_torch_shaped_parameters_and_runs_the_op(rng):
    conv = Conv2d(3, 5, (3, 2), stride=2, padding=1, seed=0)
    assert conv.weight.shape == (5, 3, 3, 2) and conv.bias.shape == (5,)
    bound = 1 / np.sqrt(3 * 3 * 2)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.bias.data).max() <= bound
    x = Tensor(rng.standard_normal((2, 3, 7, 6)))
    expected = conv2d(x, conv.weight, conv.bias, stride=2, padding=1)
    np.testing.assert_array_equal(conv(x).data, expected.data)
    assert [name for name, _ in conv.named_parameters()] == ["weight", "bias"]
    assert Conv2d(3, 5, 1, bias=False).bias is None


def test_batchnorm2d_train_and_eval_match_pytorch(torch, rng):
    ours, theirs = BatchNorm2d(3, momentum=0.2), torch.nn.BatchNorm2d(3, momentum=0.2).double()
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    ours.weight.data, ours.bias.data = gamma.copy(), beta.copy()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gamma))
        theirs.bias.copy_(torch.tensor(beta))
    for _ in range(3):  # three training batches move the running statistics
        x = rng.standard_normal((4, 3, 5, 5)) * 2 + 1
        np.testing.assert_allclose(ours(Tensor(x)).data,
                                   theirs(torch.tensor(x)).detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), atol=1e-12)
    assert ours.num_batches_tracked == theirs.num_batches_tracked.item() == 3
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((2, 3, 4, 4))
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-12)


def test_batchnorm2d_eval_output_of_a_sample_does_not_depend_on_its_batch(rng):
    bn = BatchNorm2d(2)
    bn(Tensor(rng.standard_normal((8, 2, 3, 3))))  # one training step sets running stats
    bn.eval()
    x = rng.standard_normal((4, 2, 3, 3))
    alone = bn(Tensor(x[:1])).data
    np.testing.assert_allclose(bn(Tensor(x)).data[:1], alone)


def test_batchnorm2d_buffers_are_saved_and_loaded(rng):
    bn = BatchNorm2d(2)
    bn(Tensor(rng.standard_normal((4, 2, 3, 3)) + 3.0))
    state = bn.state_dict()
    assert set(state) == {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
    fresh = BatchNorm2d(2)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.running_mean, bn.running_mean)
    # the loaded buffer is still updated in place by the next training step
    fresh(Tensor(rng.standard_normal((4, 2, 3, 3))))
    assert not np.allclose(fresh.running_mean, bn.running_mean)


def test_batchnorm2d_rejects_the_wrong_shape():
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected input \(N, 3, H, W\), "
                                         r"got shape \(2, 4, 5, 5\)"):
        BatchNorm2d(3)(Tensor(np.zeros((2, 4, 5, 5))))


def test_pooling_modules(rng):
    x = Tensor(rng.standard_normal((2, 3, 6, 6)))
    assert MaxPool2d(2)(x).shape == (2, 3, 3, 3)
    assert AvgPool2d(3, stride=1)(x).shape == (2, 3, 4, 4)
    assert MaxPool2d(3, stride=2, padding=1)(x).shape == (2, 3, 3, 3)
    assert "padding=1" in repr(MaxPool2d(3, stride=2, padding=1))
    np.testing.assert_allclose(AvgPool2d(3, 1, 1, count_include_pad=False)(x).data,
                               avg_pool2d(x, 3, 1, 1, count_include_pad=False).data)
    assert not np.allclose(AvgPool2d(3, 1, 1)(x).data, AvgPool2d(3, 1, 1, False)(x).data)
    assert AdaptiveAvgPool2d((2, 3))(x).shape == (2, 3, 2, 3)
    np.testing.assert_allclose(GlobalAvgPool2d()(x).data, x.data.mean(axis=(2, 3)))


def test_conv2d_module_dilation_and_groups_as_pytorch(torch, rng):
    conv = Conv2d(64, 32, 3, padding=2, dilation=2, groups=4, seed=0)
    theirs = torch.nn.Conv2d(64, 32, 3, padding=2, dilation=2, groups=4, dtype=torch.float64)
    assert conv.weight.shape == tuple(theirs.weight.shape) == (32, 16, 3, 3)
    # PyTorch's init bound: 1 / sqrt(fan_in), fan_in = (in_channels / groups) * kh * kw
    fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(theirs.weight)
    bound = 1 / np.sqrt(fan_in)
    assert 0.99 * bound < np.abs(conv.weight.data).max() <= bound
    assert np.abs(conv.bias.data).max() <= bound
    x = rng.standard_normal((2, 64, 5, 5))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(conv.weight.data))
        theirs.bias.copy_(torch.tensor(conv.bias.data))
    np.testing.assert_allclose(conv(Tensor(x)).data,
                               theirs(torch.tensor(x)).detach().numpy(), atol=1e-12)
    assert repr(conv).endswith("(64, 32, kernel_size=(3, 3), stride=(1, 1), padding=(2, 2), "
                               "dilation=(2, 2), groups=4, bias=True)")
    assert "dilation" not in repr(Conv2d(1, 2, 3)) and "groups" not in repr(Conv2d(1, 2, 3))


@pytest.mark.parametrize("args, message", [
    ((5, 4, 3, 1, 0, 1, 2), r"Conv2d: in_channels \(5\) must be divisible by groups \(2\)"),
    ((4, 5, 3, 1, 0, 1, 2), r"Conv2d: out_channels \(5\) must be divisible by groups \(2\)"),
    ((4, 4, 3, 1, 0, 1, 0), r"Conv2d: groups must be >= 1, got 0"),
    ((4, 4, 3, 1, 0, 0, 1), r"Conv2d: dilation must be >= 1, got 0"),
])
def test_conv2d_module_rejects_groups_that_do_not_divide(args, message):
    with pytest.raises(ValueError, match=message):
        Conv2d(*args)
