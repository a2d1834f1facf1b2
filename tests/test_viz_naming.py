"""viz.name_modules: tensors named by the module call that made them, checked against what a
forward hook of each module (nets.probes.Probe) sees and against the parameters' own names."""
import numpy as np
import pytest

import nets
from nets.losses import cross_entropy
from nets.probes import Probe
from tinygrad_res import Tensor, viz
from tinygrad_res.viz.layout import build_layout


@pytest.fixture(scope="module")
def resnet8():
    model = nets.ResNet(8, num_classes=10, seed=0)
    x = Tensor(np.random.default_rng(0).standard_normal((2, 1, 8, 8)), name="x")
    watched = {"bn1": model.blocks[1].bn1, "shortcut": model.blocks[1].shortcut[0],
               "block": model.blocks[2], "fc": model.fc}
    with Probe(watched) as probe, viz.name_modules(model) as named:
        loss = cross_entropy(model(x), np.array([1, 3]))
    return model, named, probe.outputs, loss


def test_module_outputs_are_named_by_path_and_role(resnet8):
    model, named, outputs, _ = resnet8
    assert named.name_of(outputs["bn1"]) == "blocks.1.bn1 → output"
    assert named.name_of(outputs["shortcut"]) == "blocks.1.shortcut.0 → output"
    assert named.name_of(outputs["block"]) == "blocks.2 → output"
    assert named.name_of(outputs["fc"]) == "fc → output"
    # ops a block runs itself (the residual sum, the relu between bn1 and conv2) get its path
    add = outputs["block"].parents[0]
    assert add.op == "add" and named.name_of(add) == "blocks.2 → add"
    relu = add.parents[0].parents[0].parents[0]  # bn2(conv2(relu(...)))
    assert relu.op == "relu" and named.name_of(relu) == "blocks.2 → relu"


def test_parameters_keep_their_state_dict_names(resnet8):
    model, named, _, _ = resnet8
    pairs = dict((id(t), name) for name, t in named)
    for name, param in model.named_parameters():
        assert pairs[id(param)] == name
    assert "blocks.0.conv1.weight" in pairs.values()


def test_hooks_are_removed_and_the_names_label_the_trace(resnet8):
    model, named, _, loss = resnet8
    assert all(not m._forward_hooks for _, m in model.named_modules())
    steps = list(viz.trace_backward(loss, names=named))
    batch_norms = [s.output.name for s in steps if s.op == "batch_norm"]
    # the stem, two per block, and the two projection shortcuts
    assert len(batch_norms) == 9 and "blocks.0.bn1 → output" in batch_norms
    assert [s.op for s in steps[:4]] == ["mean", "neg", "getitem", "log_softmax"]
    assert steps[0].output.name.startswith("t")  # the loss ran in no module: today's id


def test_clusters_box_ops_by_module_path(resnet8):
    _, named, _, loss = resnet8
    layout = build_layout(loss, named.clusters, names=named)
    labels = [c.label for c in layout.clusters]
    assert labels == ["ResNet", "stem", "blocks.0", "blocks.1", "blocks.1.shortcut",
                      "blocks.2", "blocks.2.shortcut"]  # a ModuleList is never called: no box
    assert {c.label: c.op_count for c in layout.clusters}["blocks.1"] == 9


def test_a_module_called_twice_names_both_calls():
    model = nets.Sequential(nets.Linear(2, 2, seed=0))
    x = Tensor(np.ones((1, 2)))
    with viz.name_modules(model) as named:
        first, second = model(x), model(x)
    assert named.name_of(first) == "0 → output"
    assert named.name_of(second) == "0 → output (call 2)"


def test_not_a_module_is_refused():
    with pytest.raises(TypeError, match="name_modules: expected a module with named_modules"):
        viz.name_modules(lambda x: x)
