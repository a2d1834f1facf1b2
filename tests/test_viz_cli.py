"""The text view and `python -m tinygrad_res.viz`."""
import subprocess
import sys

import pytest

from tinygrad_res import viz
from tinygrad_res.viz.__main__ import main


def test_backward_text_shows_rule_skip_and_accumulation():
    steps = list(viz.trace_backward(viz.residual_mlp_example()))
    text = viz.format_backward_step(steps[5], len(steps))
    assert text.startswith("step 6/9: backward through linear -> z2 (in block2)")
    assert "rule: linear: x gets grad @ W" in text
    assert "h1 already had" in text and "(sum of both paths)" in text
    assert "via the skip connection" in viz.format_backward_step(steps[3])


def test_forward_text_shows_inputs_and_output():
    step = list(viz.trace_forward(viz.residual_mlp_example()))[1]
    text = viz.format_forward_step(step)
    assert "relu -> F1" in text and "computes: z = max(a, 0)" in text
    assert "in  z1 (2, 3)" in text and "out F1 (2, 3)" in text


def test_cli_prints_the_backward_steps(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.count("backward through") == 9 and "step 9/9" in out


def test_cli_prints_forward_steps_of_a_deeper_example(capsys):
    assert main(["--forward", "--blocks", "3"]) == 0
    out = capsys.readouterr().out
    assert "backward" not in out and "step 12/12: mean -> loss" in out


def test_cli_writes_and_opens_the_stepper(tmp_path, monkeypatch, capsys):
    pytest.importorskip("graphviz")
    from viz_helpers import require_renderer

    require_renderer("svg")
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url))
    page = tmp_path / "stepper.html"
    assert main(["--html", str(page), "--open"]) == 0
    assert page.exists() and opened == [page.resolve().as_uri()]
    assert "wrote" in capsys.readouterr().out


def test_module_runs_as_a_program():
    result = subprocess.run([sys.executable, "-m", "tinygrad_res.viz", "--blocks", "1"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "step 6/6: backward through linear -> z1" in result.stdout
