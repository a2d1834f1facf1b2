"""Grad mode: no_grad / enable_grad, restored after errors, per thread (grad_mode.py)."""
import threading

import numpy as np
import pytest

from tinygrad_res import Tensor, enable_grad, is_grad_enabled, no_grad


def test_no_grad_records_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2.0 + 1.0
        with enable_grad():
            z = x * 2.0
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y.op is None and y.parents == ()
    np.testing.assert_array_equal(y.data, [3.0, 5.0])
    assert z.requires_grad and z.op == "mul"
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert is_grad_enabled()


def test_no_grad_is_thread_local():
    # another thread sits inside no_grad() while this thread records a graph
    entered, release = threading.Event(), threading.Event()
    seen_in_thread = []

    def worker():
        with no_grad():
            seen_in_thread.append(is_grad_enabled())
            entered.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert entered.wait(timeout=10)
        x = Tensor([1.0], requires_grad=True)
        y = x * 2.0
        assert is_grad_enabled() and y.requires_grad and y.op == "mul"
    finally:
        release.set()
        thread.join()
    assert seen_in_thread == [False]
