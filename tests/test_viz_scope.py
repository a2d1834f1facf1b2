"""viz.scope: ops remember the scope they were recorded in; nothing else changes."""
import threading

import numpy as np
import pytest

from tinygrad_res import Tensor, no_grad, viz


def test_ops_record_the_innermost_scope_and_its_path():
    x = Tensor([1.0, -1.0], requires_grad=True)
    with viz.scope("net") as net:
        with viz.scope("block1") as block:
            y = x.relu()
        z = y + x
    w = z * 2
    assert viz.scope_of(y) is block and block.parent is net
    assert viz.scope_of(y).path == ("net", "block1") and block.depth == 2
    assert viz.scope_of(z) is net
    assert viz.scope_of(w) is None and viz.scope_of(x) is None  # outside; a leaf
    assert viz.current_scope() is None


def test_each_with_block_is_a_new_frame():
    x = Tensor([1.0], requires_grad=True)
    frames = []
    for _ in range(2):
        with viz.scope("block"):
            frames.append(viz.scope_of(x.exp()))
    assert frames[0] is not frames[1] and frames[0].path == frames[1].path


def test_scope_is_restored_after_an_error():
    with pytest.raises(ValueError):
        with viz.scope("outer"):
            with viz.scope("inner"):
                raise ValueError("boom")
    assert viz.current_scope() is None


def test_scopes_are_per_thread():
    seen = []
    with viz.scope("main"):
        worker = threading.Thread(target=lambda: seen.append(viz.current_scope()))
        worker.start()
        worker.join()
        assert viz.current_scope().name == "main"
    assert seen == [None]


def test_scope_changes_no_values_and_no_grad_records_nothing():
    x = Tensor(np.arange(3.0), requires_grad=True)
    with viz.scope("block"):
        y = (x * x).sum()
        with no_grad():
            z = x * 2
    y.backward()
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 4.0])
    assert z.is_leaf and viz.scope_of(z) is None


def test_bad_scope_name_is_a_clear_error():
    with pytest.raises(TypeError, match="viz.scope: name must be a non-empty string, got 3"):
        with viz.scope(3):
            pass


def test_enter_and_exit_scope_without_a_with_block():
    from tinygrad_res.viz.scope import enter_scope, exit_scope
    x = Tensor([1.0], requires_grad=True)
    outer = enter_scope("net")
    inner = enter_scope("block")
    y = x.exp()
    exit_scope(inner)
    z = y + x
    exit_scope(outer)
    assert outer is None and viz.scope_of(y).path == ("net", "block")
    assert viz.scope_of(z).path == ("net",) and viz.current_scope() is None


def test_a_module_that_raises_leaves_no_scope_behind():
    import nets

    class Broken(nets.Module):
        def __init__(self):
            super().__init__()
            self.inner = nets.layers.ReLU()

        def forward(self, x):
            self.inner(x)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        Broken()(Tensor([1.0], requires_grad=True))
    assert viz.current_scope() is None
