"""draw_graph: node and edge counts, reuse, skip edges, clusters and collapsing."""
import numpy as np
import pytest
from viz_helpers import cluster_labels, parse_dot, require_graphviz

from tinygrad_res import Tensor, viz

require_graphviz()


def is_op(node_id: str) -> bool:
    return node_id.startswith("op")


def test_counts_for_a_times_b_plus_a():
    # y = a * b + a: tensors a, b, a*b, y (4 records); ops mul, add (2 ovals); edges:
    # a->mul, b->mul, mul->ab, ab->add, a->add, add->y (6)
    a = Tensor([1.0, 2.0], requires_grad=True, name="a")
    b = Tensor([3.0, 4.0], requires_grad=True, name="b")
    dot = parse_dot(viz.draw_graph(a * b + a).source)
    tensors = [n for n in dot["nodes"] if not is_op(n)]
    ops = [n for n in dot["nodes"] if is_op(n)]
    assert len(tensors) == 4 and len(ops) == 2
    assert len(dot["edges"]) == 6
    assert all("shape=record" in dot["nodes"][n] for n in tensors)
    assert all("shape=ellipse" in dot["nodes"][n] for n in ops)


def test_reused_tensor_is_drawn_once_with_two_out_edges():
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True, name="x")
    y = (x.relu() * x.exp()).sum()
    dot = parse_dot(viz.draw_graph(y).source)
    named_x = [n for n, attrs in dot["nodes"].items() if 'label="x|' in attrs]
    assert len(named_x) == 1
    out_edges = [(u, v) for u, v, _ in dot["edges"] if u == named_x[0]]
    assert len(out_edges) == 2
    # 5 tensors (x, relu, exp, mul, sum) and 4 ops; each op: one edge per input and one out
    assert len(dot["nodes"]) == 9 and len(dot["edges"]) == 9
    assert not any("skip" in attrs for _, _, attrs in dot["edges"])  # a mul is no skip


def test_a_tensor_used_twice_by_one_op_gets_two_edges():
    x = Tensor([3.0], requires_grad=True, name="x")
    dot = parse_dot(viz.draw_graph(x * x).source)
    assert sum(1 for u, _, _ in dot["edges"] if u == "t0") == 2


def test_skip_edges_are_the_short_path_into_add():
    loss = viz.residual_mlp_example(blocks=2)
    dot = parse_dot(viz.draw_graph(loss).source)
    skips = [(u, v) for u, v, attrs in dot["edges"] if "label=skip" in attrs]
    labels = {n: attrs.split("|")[0].split('"')[1] for n, attrs in dot["nodes"].items()
              if not is_op(n)}
    assert sorted(labels[u] for u, _ in skips) == ["h1", "x"]
    assert all('color="#d62728"' in attrs for _, _, attrs in dot["edges"] if "skip" in attrs)
    # the adds they enter are tinted apart from other ops
    assert all(viz.COLOURS["skip_add"] in dot["nodes"][v] for _, v in skips)
    # a sum of two unrelated tensors is no skip connection
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    assert "skip" not in viz.draw_graph(a + b).source


def test_leaf_kinds_and_output_are_coloured_apart():
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    y = (w * 2.0).sum()
    nodes = parse_dot(viz.draw_graph(y).source)["nodes"]
    colour = {attrs.split("|")[0].split('"')[1]: attrs for n, attrs in nodes.items()
              if not is_op(n)}
    assert viz.COLOURS["parameter"] in colour["w"]
    assert viz.COLOURS["constant"] in colour["t1"]  # the number 2.0, unnamed
    assert viz.COLOURS["output"] in colour["t3"]


def test_values_shapes_and_grad_summary():
    w = Tensor([[1.0, -2.0]], requires_grad=True, name="w")
    loss = (w * w).sum()
    assert "data [[1, -2]]" in viz.draw_graph(loss).source
    assert "grad" not in viz.draw_graph(loss).source
    loss.backward()
    assert "grad [[2, -4]]" in viz.draw_graph(loss).source  # d(w^2)/dw = 2w, by hand
    shapes = viz.draw_graph(loss, show="shapes").source
    assert "data" not in shapes and "grad" not in shapes and "(1, 2)" in shapes


def test_rankdir_turns_record_fields():
    x = Tensor([1.0], requires_grad=True, name="x")
    assert 'label="x|(1,)|' in viz.draw_graph(x.exp()).source
    top_down = viz.draw_graph(x.exp(), rankdir="TB").source
    assert "rankdir=TB" in top_down and 'label="{x|(1,)|' in top_down


def test_clusters_follow_scopes_and_hold_their_parameters():
    loss = viz.residual_mlp_example(blocks=2)
    source = viz.draw_graph(loss).source
    dot, labels = parse_dot(source), cluster_labels(source)
    assert sorted(labels.values()) == ["block1", "block2", "loss"]
    members = {labels[c]: ids for c, ids in dot["clusters"].items()}
    names = {n: attrs.split("|")[0].split('"')[1] for n, attrs in dot["nodes"].items()
             if not is_op(n)}
    block1 = sorted(names[n] for n in members["block1"] if not is_op(n))
    assert block1 == ["F1", "W1", "b1", "h1", "z1"]
    assert sum(is_op(n) for n in members["block1"]) == 3  # linear, relu, add
    outside = [names[n] for n in dot["nodes"] if not any(n in m for m in members.values())]
    assert sorted(outside) == ["target", "x"]  # x feeds two ops of block1: it stays outside


def test_nested_scopes_nest_clusters_and_names_repeat_with_numbers():
    x = Tensor(np.ones(2), requires_grad=True, name="x")
    with viz.scope("net"):
        for _ in range(2):
            with viz.scope("Block"):
                x = x + x.tanh()
    source = viz.draw_graph(x.sum()).source
    dot, labels = parse_dot(source), cluster_labels(source)
    by_label = {label: c for c, label in labels.items()}
    assert set(by_label) == {"net", "Block #1", "Block #2"}
    assert dot["parent"][by_label["Block #1"]] == by_label["net"]
    assert dot["parent"][by_label["net"]] is None


def test_clusters_from_a_mapping_or_a_function():
    a = Tensor([1.0], requires_grad=True, name="a")
    b = a.exp()
    c = b.log()
    by_map = viz.draw_graph(c, clusters={b: "first", c: "outer/second"}).source
    assert set(cluster_labels(by_map).values()) == {"first", "outer", "second"}
    by_function = viz.draw_graph(c, clusters=lambda t: "all" if t.op else None).source
    dot = parse_dot(by_function)
    # the 2 ops, their outputs, and a: a leaf with a gradient used by one op joins its box
    assert len(dot["clusters"]) == 1 and len(next(iter(dot["clusters"].values()))) == 5
    assert "subgraph" not in viz.draw_graph(c, clusters=None).source


def test_a_100_block_stack_collapses_to_one_node_per_block():
    loss = viz.residual_mlp_example(blocks=100, width=2)
    dot = parse_dot(viz.draw_graph(loss).source)
    folded = [n for n, attrs in dot["nodes"].items() if "shape=box3d" in attrs]
    # 100 blocks + the loss scope are 101 sibling boxes > max_clusters=16: each is one node
    assert len(folded) == 101
    assert 'label="block37\\n3 ops"' in dot["nodes"]["c36"]
    # what is left: x, target and the loss itself, which always stays visible
    assert len(dot["nodes"]) == 104 and not dot["clusters"]
    # a chain: x -> block1 -> ... -> block100 -> loss box -> loss, and target -> loss box
    assert len(dot["edges"]) == 1 + 99 + 1 + 1 + 1
    expanded = parse_dot(viz.draw_graph(loss, max_clusters=None).source)
    # 8 nodes per block (W, b, linear, z, relu, F, add, h), 8 outside (x, target, sub, diff,
    # pow, sq, mean, loss)
    assert len(expanded["clusters"]) == 101 and len(expanded["nodes"]) == 100 * 8 + 8


def test_max_depth_folds_nested_scopes():
    x = Tensor(np.ones(2), requires_grad=True, name="x")
    with viz.scope("net"):
        for k in range(3):
            with viz.scope(f"block{k}"):
                x = x + x.tanh()
    loss = x.sum()
    one_level = parse_dot(viz.draw_graph(loss, max_depth=1).source)
    assert len(one_level["clusters"]) == 1  # net is a box, its 3 blocks are nodes in it
    (members,) = one_level["clusters"].values()
    assert sorted(members) == ["c1", "c2", "c3"]
    whole = parse_dot(viz.draw_graph(loss, max_depth=0).source)
    assert not whole["clusters"] and "c0" in whole["nodes"]
    assert 'label="net\\n6 ops"' in whole["nodes"]["c0"]


def test_draw_graph_is_a_digraph_that_jupyter_displays():
    import graphviz
    from viz_helpers import require_renderer

    g = viz.draw_graph(viz.residual_mlp_example())
    assert isinstance(g, graphviz.Digraph)
    require_renderer("svg")
    bundle = g._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith(("<?xml", "<svg"))


@pytest.mark.parametrize("kwargs, message", [
    ({"rankdir": "XY"}, "rankdir"), ({"show": "all"}, "show"), ({"max_depth": -1}, "max_depth"),
    ({"clusters": 3}, "clusters")])
def test_bad_options_name_the_function_and_the_option(kwargs, message):
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises((ValueError, TypeError), match=f"draw_graph: {message}"):
        viz.draw_graph(x.exp(), **kwargs)


def test_not_a_tensor_is_a_clear_error():
    with pytest.raises(TypeError, match="draw_graph: expected a Tensor, got list"):
        viz.draw_graph([1.0])


def test_names_label_tensors_and_bad_names_are_a_clear_error():
    w = Tensor([1.0], requires_grad=True)
    y = (w * 3.0).sum()
    assert 'label="weight|(1,)|' in viz.draw_graph(y, names={"weight": w}).source
    assert 'label="weight|(1,)|' in viz.draw_graph(y, names=[("weight", w)]).source
    with pytest.raises(TypeError, match=r"viz: names must be .* got the item 'w'"):
        viz.draw_graph(y, names=["w"])
