"""Dropout: PyTorch's scaling and validation, train/eval, the mask's gradient, reproducibility."""
import numpy as np
import pytest

import nets
from nets.dropout import Dropout, dropout
from tinygrad_res import Tensor, gradcheck


def test_training_zeroes_a_fraction_p_and_scales_the_rest():
    x = Tensor(np.full(200_000, 3.0))
    out = Dropout(0.3, seed=0)(x).data
    assert set(np.unique(out)) == {0.0, 3.0 / 0.7}
    assert abs(np.mean(out == 0.0) - 0.3) < 0.005          # 200k draws: std 0.001
    assert abs(out.mean() - 3.0) < 0.03                     # the expectation is kept


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_scale_and_dtype_are_pytorchs(torch, p, dtype):
    ours = Dropout(p, seed=1)(Tensor(np.ones(1000), dtype=dtype))
    theirs = torch.nn.functional.dropout(torch.ones(1000, dtype=getattr(torch, dtype)), p)
    assert ours.dtype == np.dtype(dtype)
    assert np.unique(ours.data[ours.data != 0]).tolist() == \
        np.unique(theirs.numpy()[theirs.numpy() != 0]).tolist()


def test_the_gradient_is_the_scaled_mask():
    x = Tensor(np.random.default_rng(0).standard_normal((50, 4)), requires_grad=True)
    out = Dropout(0.4, seed=2)(x)
    out.backward(np.ones(x.shape))
    mask = out.data / x.data
    assert set(np.round(np.unique(mask), 12)) == {0.0, round(1 / 0.6, 12)}
    np.testing.assert_allclose(x.grad, mask, rtol=1e-15)
    assert out.op == "mul"                                   # the mask is a constant of the graph
    assert gradcheck(lambda x: dropout(x, 0.4, seed=5), x)   # one seed: one mask per call


def test_eval_and_p_zero_pass_the_input_through_as_in_pytorch(torch):
    x = Tensor(np.ones(5))
    drop = Dropout(0.5)
    assert drop.eval()(x) is x and Dropout(0.0)(x) is x
    t = torch.ones(5)
    assert torch.nn.functional.dropout(t, 0.5, training=False) is t
    assert drop.train()(x) is not x


def test_p_one_drops_everything_with_a_zero_gradient(torch):
    x = Tensor(np.ones(4), requires_grad=True)
    out = Dropout(1.0)(x)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, 0.0)
    np.testing.assert_array_equal(x.grad, 0.0)
    t = torch.ones(4, requires_grad=True)
    torch.nn.functional.dropout(t, 1.0).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), 0.0)


def test_a_seed_reproduces_the_masks_and_successive_calls_differ():
    x = Tensor(np.ones(100))
    a, b = Dropout(0.5, seed=3), Dropout(0.5, seed=3)
    first = a(x).data
    np.testing.assert_array_equal(first, b(x).data)
    assert not np.array_equal(first, a(x).data)
    shared = np.random.default_rng(7)                        # a Generator is shared, not copied
    c, d = Dropout(0.5, seed=shared), Dropout(0.5, seed=shared)
    assert not np.array_equal(c(x).data, d(x).data)


def test_model_eval_switches_dropout_off():
    model = nets.Sequential(nets.Linear(4, 4, seed=0), Dropout(0.5, seed=0))
    x = Tensor(np.ones((3, 4)))
    model.eval()
    np.testing.assert_array_equal(model(x).data, model[0](x).data)
    assert repr(model[1]) == "Dropout(p=0.5)"


@pytest.mark.parametrize("p", [1.5, -0.1, float("nan")])
def test_p_outside_0_1_is_a_value_error_as_in_pytorch(torch, p):
    with pytest.raises(ValueError, match=r"Dropout: p \(a probability\) has to be between 0 "
                                         r"and 1, but got"):
        Dropout(p)
    if p == p:  # torch accepts nan (and then returns nan); we refuse it
        with pytest.raises(ValueError, match="has to be between 0 and 1, but got"):
            torch.nn.Dropout(p)
    with pytest.raises(ValueError, match=r"dropout: p \(a probability\)"):
        dropout(Tensor([1.0]), p)


def test_p_that_is_not_a_number_is_a_type_error():
    for p in ("0.5", None, True):
        with pytest.raises(TypeError, match="Dropout: p must be a number"):
            Dropout(p)
    with pytest.raises(TypeError, match="dropout: input must be a Tensor, not ndarray"):
        dropout(np.ones(3), 0.5)
