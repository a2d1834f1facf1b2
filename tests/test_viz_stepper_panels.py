"""Every op the stepper can show has its three texts: what it computes, its backward rule in
words, and its local derivatives; and the page shows them for convolutions, batch norm and
pools, on both passes."""
import json
import re

import numpy as np
import pytest
from viz_helpers import require_graphviz, require_renderer

import tinygrad_res.ops  # noqa: F401  (defines every op class: fills Function.registry)
from tinygrad_res import (Function, Tensor, adaptive_avg_pool2d, avg_pool2d, batch_norm,
                          conv2d, max_pool2d, viz)
from tinygrad_res.viz.trace import op_text

require_graphviz()


def test_every_registered_op_has_all_three_texts():
    assert len(Function.registry) >= 40
    for class_name, op in Function.registry.items():
        text = op_text(op)
        for panel in ("computes", "rule", "derivative"):
            assert text[panel].strip(), f"{class_name}: empty {panel!r} panel"
        assert text["computes"].startswith("z")
        assert text["rule"].startswith(f"{op.name}: ")
        # one local derivative per line, each as the docstring writes it ('dz/dx = ...')
        derivatives = text["derivative"].splitlines()
        assert derivatives and all(d.startswith("dz/d") for d in derivatives), class_name


def conv_net_loss():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 2, 6, 6)), name="x")
    w = Tensor(rng.standard_normal((3, 2, 3, 3)) * 0.3, requires_grad=True, name="w")
    gamma = Tensor(np.ones(3), requires_grad=True, name="gamma")
    beta = Tensor(np.zeros(3), requires_grad=True, name="beta")
    h = batch_norm(conv2d(x, w, padding=1), None, None, gamma, beta, training=True)
    h = avg_pool2d(max_pool2d(h.relu(), 2), 1)
    return adaptive_avg_pool2d(h, (1, 1)).sum()


def page_steps(html: str) -> dict:
    found = re.search(r'<script id="ui-steps" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_the_page_shows_each_ops_own_texts_on_both_passes():
    require_renderer("svg")
    data = page_steps(viz.stepper_html(conv_net_loss()))
    by_name = {}
    for op in Function.registry.values():
        by_name.setdefault(op.name, []).append(op_text(op))
    ops = {"conv2d", "batch_norm", "relu", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
           "sum"}
    seen = set()
    for step in data["backward"]:
        name = re.match(r"Step \d+ / \d+: backward through (\w+)", step["title"]).group(1)
        panels = {b["label"]: b["text"] for b in step["blocks"]}
        rule = panels["local rule"]
        derivative = panels["local derivative (g: the gradient arriving at z)"]
        assert any(t["rule"] == rule and t["derivative"] == derivative for t in by_name[name])
        seen.add(name)
    for step in data["forward"]:
        name = re.match(r"Step \d+ / \d+: (\w+)", step["title"]).group(1)
        computes = step["blocks"][0]
        assert computes["label"] == "computes"
        assert any(t["computes"] == computes["text"] for t in by_name[name])
    assert seen == ops
    batch_norm_step = next(s for s in data["backward"] if "batch_norm" in s["title"])
    assert "dz/dgamma = sum of g * xhat" in batch_norm_step["blocks"][2]["text"]


@pytest.mark.parametrize("op", ["BatchNorm", "Conv2d", "MaxPool2d", "AvgPool2d",
                                "AdaptiveAvgPool2d"])
def test_the_ops_the_issue_named_have_a_derivative_for_each_input(op):
    derivatives = op_text(Function.registry[op])["derivative"].splitlines()
    inputs = {"BatchNorm": 3, "Conv2d": 3}.get(op, 1)  # x, weight, bias / x alone
    assert len(derivatives) == inputs
