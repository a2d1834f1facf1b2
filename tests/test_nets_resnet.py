"""nets.resnet: block shapes, shortcut topology in the recorded graph, the plain switch, ResNet."""
import numpy as np
import pytest

from nets.resnet import BasicBlock, Bottleneck, PreActBasicBlock, ResNet, blocks_per_stage
from tinygrad_res import Tensor, gradcheck, topological_order


def joins(x: Tensor, y: Tensor) -> list:
    """The ops between x and y where two paths from x meet: an op with two or more inputs
    that depend on x. A chain of layers has none; a shortcut adds one where it rejoins."""
    from_x = set()
    for node in topological_order(y):  # inputs before outputs
        if node is x or any(id(p) in from_x for p in node.parents):
            from_x.add(id(node))
    return [node for node in topological_order(y)
            if id(node) in from_x and sum(id(p) in from_x for p in node.parents) >= 2]


def record_blocks(model: ResNet) -> list:
    """Hooks that capture (input, output) of every block of `model` on the next forward."""
    seen = []
    for block in model.blocks:
        block.register_forward_hook(lambda module, args, out: seen.append((args[0], out)))
    return seen


@pytest.mark.parametrize("block", ["basic", "preact", "bottleneck"])
def test_residual_network_has_one_add_join_per_block_and_plain_has_none(rng, block):
    depth = 11 if block == "bottleneck" else 14  # two blocks per stage: identity and projection
    x = rng.standard_normal((2, 1, 8, 8))
    for plain in (False, True):
        model = ResNet(depth, block=block, plain=plain, seed=0)
        seen = record_blocks(model)
        inputs = Tensor(x, requires_grad=True)
        logits = model(inputs)
        assert len(seen) == len(model.blocks) == 3 * model.n
        for block_in, block_out in seen:
            found = joins(block_in, block_out)
            if plain:
                assert found == []
            else:
                assert [node.op for node in found] == ["add"]
        # the whole plain network is one chain from image to logits
        assert (joins(inputs, logits) == []) == plain


def test_identity_shortcut_adds_the_block_input_itself(rng):
    block = BasicBlock(4, 4, seed=0)
    x = Tensor(rng.standard_normal((2, 4, 3, 3)), requires_grad=True)
    (add,) = joins(x, block(x))
    assert any(parent is x for parent in add.parents)


def test_projection_only_where_the_shape_changes():
    model = ResNet(14, seed=0)  # stages of 2 blocks; blocks 2 and 4 change the shape
    kinds = [type(b.shortcut).__name__ for b in model.blocks]
    assert kinds == ["Identity", "Identity", "Sequential", "Identity", "Sequential", "Identity"]
    projection = model.blocks[2].shortcut[0]
    assert projection.weight.shape == (32, 16, 1, 1) and projection.stride == (2, 2)


def test_plain_removes_the_shortcuts_and_nothing_else():
    residual, plain = ResNet(20, seed=3).state_dict(), ResNet(20, plain=True, seed=3).state_dict()
    main_path = {k: v for k, v in residual.items() if ".shortcut." not in k}
    assert any(".shortcut." in k for k in residual)
    assert list(plain) == list(main_path)
    for key in plain:  # same seed, same main-path weights: the comparison isolates the shortcut
        np.testing.assert_array_equal(plain[key], main_path[key], err_msg=key)


@pytest.mark.parametrize("block_type, args, out_shape", [
    (BasicBlock, (8, 16, 2), (2, 16, 3, 3)),
    (PreActBasicBlock, (8, 16, 2), (2, 16, 3, 3)),
    (PreActBasicBlock, (8, 8, 1), (2, 8, 5, 5)),
    (Bottleneck, (8, 32, 1), (2, 32, 5, 5)),
    (Bottleneck, (32, 32, 2), (2, 32, 3, 3)),
])
def test_block_output_shapes(rng, block_type, args, out_shape):
    block = block_type(*args, seed=0)
    assert block(Tensor(rng.standard_normal((2, args[0], 5, 5)))).shape == out_shape


def test_bottleneck_narrows_to_a_quarter_by_default():
    block = Bottleneck(64, 64, seed=0)
    assert block.conv1.weight.shape == (16, 64, 1, 1)
    assert block.conv2.weight.shape == (16, 16, 3, 3)
    assert block.conv3.weight.shape == (64, 16, 1, 1)


def test_preact_identity_path_is_untouched(rng):
    # zero the last conv of the branch: a pre-activation block is then exactly the identity,
    # a post-activation block is not (its final relu clips the negative inputs)
    x = Tensor(rng.standard_normal((2, 4, 3, 3)))
    pre, post = PreActBasicBlock(4, 4, seed=0), BasicBlock(4, 4, seed=0)
    pre.conv2.weight.data[...] = 0.0
    post.bn2.weight.data[...] = 0.0
    np.testing.assert_allclose(pre(x).data, x.data)
    np.testing.assert_allclose(post(x).data, np.maximum(x.data, 0.0))


@pytest.mark.parametrize("depth, block, n", [(8, "basic", 1), (20, "basic", 3), (56, "preact", 9),
                                             (11, "bottleneck", 1), (29, "bottleneck", 3)])
def test_depth_counts_the_weighted_layers(depth, block, n):
    assert blocks_per_stage(depth, block) == n
    model = ResNet(depth, block=block, plain=True, seed=0)
    layers = [name for name, p in model.named_parameters()
              if name.endswith("weight") and p.ndim in (2, 4)]
    assert len(layers) == depth


def test_bad_depth_and_block_are_explained():
    with pytest.raises(ValueError, match=r"ResNet: depth 21 does not fit the CIFAR layout for "
                                         r"'basic' blocks: it must be 6n \+ 2"):
        ResNet(21)
    with pytest.raises(ValueError, match=r"ResNet: unknown block 'dense'"):
        ResNet(20, block="dense")


@pytest.mark.parametrize("block", ["basic", "preact"])
def test_resnet_gradcheck_on_a_tiny_batch(rng, block):
    model = ResNet(8, widths=(2, 3, 4), block=block, seed=0)
    x = Tensor(rng.standard_normal((3, 1, 4, 4)), requires_grad=True)
    assert gradcheck(model, x, fast=True)
    model.eval()
    assert gradcheck(model, x, fast=True)
