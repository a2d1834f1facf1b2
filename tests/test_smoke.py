import numpy as np

from tinygrad_res import Tensor, gradcheck


def test_tiny_graph_matches_hand_derivation():
    # y = relu(w . x) with w . x = 0.5*2 - 1*(-3) = 4 > 0, so dy/dw = x and dy/dx = w
    w = Tensor([0.5, -1.0], requires_grad=True)
    x = Tensor([2.0, -3.0], requires_grad=True)
    y = (w @ x).relu()
    y.backward()
    assert y.item() == 4.0
    np.testing.assert_array_equal(w.grad, [2.0, -3.0])
    np.testing.assert_array_equal(x.grad, [0.5, -1.0])


def test_gradcheck_on_a_small_mlp(rng):
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    assert gradcheck(lambda x, w: (x @ w).tanh().sum(axis=0), x, w)
