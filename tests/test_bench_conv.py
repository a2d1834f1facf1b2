"""bench/conv_resnet.py: its PyTorch twin (nets.export.to_torch) is the same float32 network, its
workloads run and agree, and RESULTS.md gets one goal row per conv workload. No timing is
asserted (make bench times)."""
import numpy as np

import nets
from bench import common, conv_resnet
from nets.export import to_torch
from bench.report import goal_rows, write_results
from tinygrad_res import Tensor

MACHINE = {"cpu": "test cpu", "cores": 2, "python": "3", "numpy": "2", "blas": "b", "torch": "t"}


def test_the_torch_twin_computes_the_engines_float32_resnet(torch):
    model = nets.ResNet(8, seed=3).to(np.float32)
    model.blocks[0].bn1.running_mean[:] = 0.5  # a buffer that differs from its default loads too
    twin = to_torch(model)
    x = np.random.default_rng(0).standard_normal((5, 1, 8, 8)).astype(np.float32)
    for training in (True, False):
        model.train(training)
        twin.train(training)
        np.testing.assert_allclose(twin(torch.from_numpy(x)).detach().numpy(),
                                   model(Tensor(x)).data, rtol=1e-4, atol=1e-5)


def test_conv_workloads_run_and_agree_with_torch(torch):
    results = conv_resnet.run(quick=True)
    assert [r["key"] for r in results][0] == "resnet20"
    assert len(results) == 1 + len(conv_resnet.CONV_SHAPES)
    for result in results:
        assert set(result["medians"]) == {"engine", "torch"}
        assert result["goal"]["limit"] == (1.5 if result["key"] == "resnet20" else 2.0)
        assert common.goal_met(result) in (True, False)


def _result(key, title, engine, torch_seconds):
    medians = {"engine": engine, "torch": torch_seconds}
    goal = {"kind": "ratio", "ratio": "engine/torch", "limit": 2.0, "text": "<= 2x",
            "issue_torch": 1e-3}
    return {"key": key, "title": title, "unit": "s/call", "rounds": 3, "medians": medians,
            "ratios": common.ratios(medians), "goal": goal, "notes": []}


def test_each_conv_workload_gets_its_goal_row_in_run_order(tmp_path):
    results = {"conv_resnet/b": [_result("b", "second", 3e-3, 1e-3)] * 3,
               "w0_seed000": [_result("w0", "W0 row", 1e-3, 1e-3)],
               "conv_resnet/a": [_result("a", "third", 1e-3, 1e-3)] * 3}
    assert goal_rows(results) == ["w0_seed000", "conv_resnet/b", "conv_resnet/a"]
    text = write_results(results, MACHINE, quick=False, path=tmp_path / "R.md").read_text()
    goals = text.split("## Goals")[1].split("\n## ")[0]
    rows = [line for line in goals.splitlines() if line.startswith("| ") and "x |" in line]
    assert [row.split(" | ")[0] for row in rows] == ["| W0 row", "| second", "| third"]
    assert "3.00x / 3.00x / 3.00x" in rows[1] and "NO (0 of 3)" in rows[1]
