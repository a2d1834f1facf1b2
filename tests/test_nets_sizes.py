"""Sizes given to every constructor of nets: a bad one is an error naming the layer and the
argument; a zero size works where PyTorch allows it (checked against torch)."""
import numpy as np
import pytest

import nets
from nets.sizes import NotAnIntError, check_pair, check_probability, check_size
from tinygrad_res import Tensor

# (constructor, positional sizes that work, the name of each position); every position is
# tried negative and as a float
CONSTRUCTORS = [
    (nets.Linear, (3, 2), ("in_features", "out_features")),
    (nets.LayerNorm, (3,), ("normalized_shape",)),
    (nets.BatchNorm1d, (3,), ("num_features",)),
    (nets.BatchNorm2d, (3,), ("num_features",)),
    (nets.Conv2d, (3, 2, 3), ("in_channels", "out_channels", "kernel_size")),
    (nets.MaxPool2d, (2,), ("kernel_size",)),
    (nets.AvgPool2d, (2,), ("kernel_size",)),
    (nets.AdaptiveAvgPool2d, (2,), ("output_size",)),
    (nets.PlainMLP, (2, 3), ("depth", "width")),
    (nets.ResMLP, (2, 3), ("depth", "width")),
    (nets.PostActBlock, (3, 4), ("in_features", "out_features")),
    (nets.PreActBlock, (3, 4), ("in_features", "out_features")),
    (nets.BottleneckBlock, (4, 2, 4), ("in_features", "bottleneck_features", "out_features")),
    (nets.HighwayLayer, (3,), ("width",)),
    (nets.ResidualStack, (2, 3), ("n_blocks", "width")),
    (nets.DeepResNet, (3, 2), ("width", "n_blocks")),
    (nets.BasicBlock, (2, 4, 2), ("in_channels", "out_channels", "stride")),
    (nets.PreActBasicBlock, (2, 4, 2), ("in_channels", "out_channels", "stride")),
    (nets.Bottleneck, (2, 4, 2), ("in_channels", "out_channels", "stride")),
    (nets.ResNet, (8, 10, 1), ("depth", "num_classes", "in_channels")),
    (nets.seed000_network, (5, True, 8), ("depth", "residual", "width")),
    (nets.seed001_network, (True, 4, 8), ("residual", "depth", "width")),
]
CASES = [(make, sizes, position, name) for make, sizes, names in CONSTRUCTORS
         for position, name in enumerate(names) if name != "residual"]
IDS = [f"{make.__name__}-{name}" for make, _, _, name in CASES]


@pytest.mark.parametrize("make, sizes, position, name", CASES, ids=IDS)
def test_a_negative_size_is_a_value_error_naming_layer_and_argument(make, sizes, position, name):
    make(*sizes)                                         # the sizes as given work
    bad = list(sizes)
    bad[position] = -2
    with pytest.raises(ValueError, match=rf"^{make.__name__}: {name} must be >= \d+, got -2$"):
        make(*bad)


@pytest.mark.parametrize("make, sizes, position, name", CASES, ids=IDS)
def test_a_size_that_is_not_an_int_is_refused(make, sizes, position, name):
    # None is a size's default in the blocks (out_features=None: as in_features)
    for value in (2.5, 3.0, "3") if name == "out_features" else (2.5, 3.0, "3", None):
        bad = list(sizes)
        bad[position] = value
        with pytest.raises(NotAnIntError, match=rf"{name}(\[0\])? must be an int, got "):
            make(*bad)


def test_not_an_int_is_both_a_type_error_as_in_pytorch_and_a_value_error():
    for error in (TypeError, ValueError):
        with pytest.raises(error):
            nets.Linear(2.5, 3)


def test_the_errors_the_issue_names():
    with pytest.raises(ValueError, match="Linear: in_features must be >= 0, got -1"):
        nets.Linear(-1, 3)
    with pytest.raises(ValueError, match="Linear: out_features must be >= 0, got -2"):
        nets.Linear(3, -2)
    with pytest.raises(ValueError, match="BatchNorm1d: num_features must be >= 0, got -1"):
        nets.BatchNorm1d(-1)
    with pytest.raises(ValueError, match="Conv2d: kernel_size must be >= 1, got 0"):
        nets.Conv2d(3, 3, 0)
    with pytest.raises(ValueError, match=r"Conv2d: stride\[1\] must be >= 1, got 0"):
        nets.Conv2d(3, 3, 3, stride=(1, 0))
    with pytest.raises(ValueError, match="Conv2d: padding must be >= 0, got -1"):
        nets.Conv2d(3, 3, 3, padding=-1)
    with pytest.raises(ValueError, match="MaxPool2d: stride must be >= 1, got 0"):
        nets.MaxPool2d(2, stride=0)
    with pytest.raises(ValueError, match=r"ResNet: widths\[1\] must be >= 1, got 0"):
        nets.ResNet(8, widths=(4, 0, 4))
    with pytest.raises(ValueError, match="Bottleneck: bottleneck_channels must be >= 1, got 0"):
        nets.Bottleneck(4, 4, bottleneck_channels=0)


def test_numpy_integers_are_sizes():
    layer = nets.Linear(np.int64(3), np.int32(2))
    assert layer.in_features == 3 and type(layer.in_features) is int
    assert layer.weight.shape == (2, 3)


# ----- zero sizes: PyTorch builds them, and runs those it can ------------------------------
@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
def test_linear_with_zero_features_matches_torch(torch):
    for n_in, n_out in ((0, 3), (3, 0), (0, 0)):
        ours = nets.Linear(n_in, n_out, seed=0)
        theirs = torch.nn.Linear(n_in, n_out).double()
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(ours.weight.data))
            theirs.bias.copy_(torch.from_numpy(ours.bias.data))
        x = np.ones((2, n_in))
        out = ours(Tensor(x, requires_grad=True))
        expected = theirs(torch.from_numpy(x))
        assert out.shape == tuple(expected.shape)
        np.testing.assert_array_equal(out.data, expected.detach().numpy())
    np.testing.assert_array_equal(nets.Linear(0, 3).bias.data, 0.0)   # PyTorch's bound 0


def test_layer_norm_over_no_features_is_empty_as_in_torch(torch):
    out = nets.LayerNorm(0)(Tensor(np.ones((4, 0))))
    assert out.shape == tuple(torch.nn.LayerNorm(0)(torch.ones(4, 0)).shape) == (4, 0)


def test_zero_channels_build_and_say_so_when_run():
    conv = nets.Conv2d(0, 3, 3)
    assert conv.weight.shape == (3, 0, 3, 3)
    np.testing.assert_array_equal(conv.bias.data, 0.0)
    with pytest.raises(ValueError, match="Conv2d: cannot run with in_channels=0"):
        conv(Tensor(np.ones((1, 0, 5, 5))))
    for norm, x in ((nets.BatchNorm1d(0), np.ones((4, 0))),
                    (nets.BatchNorm2d(0), np.ones((4, 0, 2, 2)))):
        with pytest.raises(ValueError, match=f"{type(norm).__name__}: num_features is 0"):
            norm(Tensor(x))


def test_blocks_keep_out_features_none_as_in_features_and_refuse_zero():
    assert nets.PostActBlock(4).out_features == 4
    with pytest.raises(ValueError, match="PostActBlock: out_features must be >= 1, got 0"):
        nets.PostActBlock(4, 0)


def test_the_check_helpers():
    assert check_pair("Conv2d", "stride", (1, np.int64(2)), 1) == (1, 2)
    with pytest.raises(ValueError, match=r"must be an int or a pair of ints, got \(1, 2, 3\)"):
        check_pair("Conv2d", "stride", (1, 2, 3), 1)
    with pytest.raises(NotAnIntError, match=r"X: n must be an int, got True \(bool\)"):
        check_size("X", "n", True)
    assert check_probability("Dropout", "p", np.float32(0.5)) == 0.5
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(ValueError, match="Dropout: p .a probability. has to be between 0 "
                                             "and 1"):
            check_probability("Dropout", "p", bad)
    with pytest.raises(TypeError, match="Dropout: p must be a number, got 'a'"):
        check_probability("Dropout", "p", "a")
