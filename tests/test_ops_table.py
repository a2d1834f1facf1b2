"""Every op, one table (tests/op_table.py): gradcheck, PyTorch parity, and nothing left out.

Adding an op to the engine means adding its row there; the first two tests fail until it has
one and states its name, formula and rule.
"""
import numpy as np
import pytest

from tinygrad_res import Function, Tensor, composite, gradcheck, ops

from op_table import ROWS, SAME


def engine_ops() -> dict:
    """Every op class the engine exports: tinygrad_res.ops.<Name>."""
    return {name: getattr(ops, name) for name in ops.__all__}


def composite_ops() -> dict:
    """Every function defined in tinygrad_res.composite."""
    return {name: value for name, value in vars(composite).items()
            if callable(value) and getattr(value, "__module__", "") == composite.__name__}


def test_every_op_has_a_row_in_the_table():
    covered = {r.op for r in ROWS.values()}
    missing = sorted((set(engine_ops()) | set(composite_ops())) - covered)
    assert not missing, f"ops without a row in tests/op_table.py: {missing}"
    unknown = sorted(covered - set(engine_ops()) - set(composite_ops()))
    assert not unknown, f"rows name ops the engine does not have: {unknown}"


@pytest.mark.parametrize("name", sorted(engine_ops()))
def test_every_op_states_its_name_formula_and_rule(name):
    cls = engine_ops()[name]
    assert issubclass(cls, Function) and cls.__module__.startswith("tinygrad_res.ops.")
    assert cls.name and cls.name == cls.name.lower() and " " not in cls.name
    forward, derivatives = cls.formula()
    assert forward.startswith("z") and " = " in forward
    assert derivatives and all(d.startswith("dz/d") for d in derivatives)
    assert len(cls.rule.split()) >= 3  # a sentence, not a placeholder


def test_an_op_class_without_its_parts_is_refused():
    with pytest.raises(TypeError, match="op Bare: set name = .*; set rule = .*start the "
                                        "docstring with 'z = <forward>   dz/da"):
        class Bare(Function):  # noqa: F841 (defining it is the test)
            """Doubles its input."""
    with pytest.raises(TypeError, match="op Wordless: set rule"):
        class Wordless(Function):  # noqa: F841
            """z = 2 a   dz/da = 2"""
            name = "wordless"


def inputs_of(name: str):
    spec = ROWS[name].inputs
    rng = np.random.default_rng(sum(map(ord, name)))
    return [rng.standard_normal(s) if isinstance(s, tuple) else np.array(s, dtype=float)
            for s in spec]


@pytest.mark.parametrize("name", [n for n, r in ROWS.items() if r.smooth])
def test_gradients_match_finite_differences(name):
    arrays = inputs_of(name)
    assert gradcheck(ROWS[name].ours, *[Tensor(a, requires_grad=True) for a in arrays])


@pytest.mark.parametrize("name", list(ROWS))
def test_forward_and_gradients_match_torch(torch, name):
    ours_fn, torch_fn = ROWS[name].ours, ROWS[name].theirs
    if torch_fn is SAME:
        torch_fn = lambda t, *xs: ours_fn(*xs)  # noqa: E731
    arrays = inputs_of(name)
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, expected = ours_fn(*ours), torch_fn(torch, *theirs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    grad_output = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"{name}: gradient of input {i}")
