"""demos/digits_mlp.py: the deep-MLP harness of highway_vs_residual and residual_variants."""
import math

import numpy as np

from demos.digits_mlp import build, stream_at_init
from demos.workers import median
from tinygrad_res import Tensor


def test_the_families_differ_in_their_layers_only():
    widths = {f: build(f, 3, 16, seed=0).num_parameters()
              for f in ("plain", "residual", "highway", "rezero", "gated", "scaled")}
    plain = 64 * 16 + 16 + 3 * (16 * 16 + 16) + 16 * 10 + 10
    assert widths["plain"] == widths["residual"] == widths["scaled"] == plain
    assert widths["rezero"] == plain + 3  # one alpha per layer
    assert widths["highway"] == widths["gated"] == plain + 3 * (16 * 16 + 16)  # the gates
    # one seed, one draw: the residual net's branches are the plain net's layers / sqrt(depth)
    plain_net, residual_net = build("plain", 4, 8, seed=1), build("residual", 4, 8, seed=1)
    np.testing.assert_allclose(residual_net[3].linear.weight.data,
                               plain_net[3].linear.weight.data / 2)
    highway = build("highway", 2, 8, seed=0, gate_bias=-3.0)
    np.testing.assert_array_equal(highway[2].gate.bias.data, -3.0)
    assert not np.any(highway[2].hidden.bias.data)


def test_x_plus_f_grows_the_stream_layer_after_layer_and_rezero_does_not():
    x = np.random.default_rng(0).standard_normal((2000, 64))
    model = build("residual_unscaled", 6, 256, seed=0)
    h, moments = model[1](model[0](Tensor(x))), []
    for layer in list(model)[2:-1]:
        previous, h = h, layer(h)
        moments.append((h.data ** 2).mean() / (previous.data ** 2).mean())
    # E[(x + relu(Wx))^2] = E[x^2] + E[relu(Wx)^2] + 2 E[x relu(Wx)]; He init makes the second
    # term E[x^2], the third is positive (both are >= 0 on average): more than doubling
    assert all(2.0 < m < 4.0 for m in moments)
    stds = stream_at_init(model, x)
    assert all(b > a for a, b in zip(stds, stds[1:]))
    rezero = stream_at_init(build("rezero", 6, 64, seed=0), x)
    assert rezero == [rezero[0]] * 7  # ReZero: every layer is the identity at init


def test_median_counts_a_diverged_run_as_worst():
    assert median([0.1, math.nan, 0.3]) == 0.3
    assert median([math.nan, math.nan, 0.2]) == math.inf
