"""Graph views of nets' modules: a module with submodules is drawn as one box."""
import re

import numpy as np
import pytest
from viz_helpers import cluster_labels, parse_dot, require_graphviz

import nets
from tinygrad_res import Tensor, viz

require_graphviz()


def loss_of(model, width: int):
    x = Tensor(np.random.default_rng(0).standard_normal((2, width)), name="x")
    return (model(x) ** 2).mean()


def test_resmlp_is_boxed_per_layer_with_parameter_names_and_skips():
    model = nets.ResMLP(2, 3, seed=0)
    source = viz.draw_graph(loss_of(model, 3), names=model.named_parameters()).source
    dot, labels = parse_dot(source), cluster_labels(source)
    by_label = {label: c for c, label in labels.items()}
    # Linear and ReLU have no submodules: their ops sit in the layer's box, not boxes of their own
    assert set(by_label) == {"ResMLP", "ResidualLayer #1", "ResidualLayer #2"}
    assert dot["parent"][by_label["ResidualLayer #2"]] == by_label["ResMLP"]
    layer = dot["clusters"][by_label["ResidualLayer #1"]]
    ops = sorted(re.match(r"label=(\w+)", dot["nodes"][n]).group(1) for n in layer
                 if n.startswith("op"))
    assert ops == ["add", "linear", "relu"]
    assert 'label="layers.0.linear.weight|(3, 3)|' in source
    assert sum("label=skip" in attrs for _, _, attrs in dot["edges"]) == 2


def test_a_100_layer_resmlp_draws_100_layer_nodes():
    model = nets.ResMLP(100, 4, seed=0)
    dot = parse_dot(viz.draw_graph(loss_of(model, 4)).source)
    (members,) = dot["clusters"].values()  # the ResMLP box
    assert len(members) == 100 and all("shape=box3d" in dot["nodes"][n] for n in members)


@pytest.mark.parametrize("cls, skips", [(nets.PlainMLP, 0), (nets.ResMLP, 2)])
def test_backward_trace_accumulates_only_with_skips(cls, skips):
    model = cls(3, 4, seed=1)
    steps = list(viz.trace_backward(loss_of(model, 4)))
    assert len(steps) == 3 * (3 if cls is nets.ResMLP else 2) + 2  # per layer + pow, mean
    assert sum(s.via_skip for step in steps for s in step.sent) == skips
    # the first layer's input x needs no gradient: only the skips of layers 2 and 3 carry
    # one, and each of those ends in a sum with the share through the layer
    assert sum(s.accumulated for step in steps for s in step.sent) == skips
