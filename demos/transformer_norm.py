"""Seeds 000, 001, 004 on pre-norm transformers: "pre-norm is what every transformer trained
today uses"; "the GPT-3 team could not stably train past about 12 layers with the post-norm
version"; x = x + attn(norm(x)).

Pre-LN and Post-LN causal transformers (nets.CausalLM with TransformerBlock(pre_norm=True or
False), everything else equal) of depths 2 to 24 learn to reverse a sequence: the model reads
x1 .. xn SEP and must continue xn .. x1 (a task generated here, fresh batches each step; chance
level is ln(vocab)). Adam at one constant learning rate with NO warm-up, the setting in which
Xiong et al. 2020 find Post-LN needs warm-up. Measured: the loss curves, the share of runs that
fail (diverge, or end above half of chance level), and the gradient norm of each layer's
parameters at initialisation (Xiong et al.'s Fig. 3: growing toward the output for Post-LN,
even for Pre-LN).

    python -m demos transformer_norm [--quick] [--depths 2 6 12 18 24] [--seeds 3] [--lr 3e-3]
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from .cli import at_least, make_main, positive_float, positive_int, usage_error
from .tables import format_table, make_table
from .transformer_norm_report import plot, summarise, verdict
from .workers import run_jobs

SUMMARY = ("Seeds 000/001/004: pre-LN vs post-LN causal transformers of depth 2-24 on sequence "
           "reversal, no warm-up: loss curves, failed runs, gradient norm per layer at init")

CLAIMS = ("Today every transformer trained - GPT-4, Claude, Gemini, Llama - uses a pre-norm "
          "residual block as the unit cell of its stack. ... The GPT-3 paper switched to "
          "pre-norm specifically because the team could not stably train past about 12 layers "
          "with the post-norm version.")
FULL = {"depths": [2, 6, 12, 18, 24], "seeds": 3, "steps": 150}
QUICK = {"depths": [2, 4], "seeds": 1, "steps": 15}
TASK = {"vocab": 10, "length": 6, "batch": 32}


def reversal_batch(rng, batch: int, length: int, vocab: int) -> tuple:
    """(inputs, targets) of x1 .. xn SEP xn .. x1 (SEP = vocab), shifted by one for next-token
    prediction; only the positions that predict the reversed half are scored.

    >>> inputs, targets = reversal_batch(np.random.default_rng(0), 1, 3, 10)
    >>> inputs.shape, targets[0, 3:].tolist() == inputs[0, 2::-1].tolist()
    ((1, 6), True)
    """
    x = rng.integers(0, vocab, (batch, length))
    sequence = np.concatenate([x, np.full((batch, 1), vocab), x[:, ::-1]], axis=1)
    return sequence[:, :-1], sequence[:, 1:]


def _loss(model, inputs: np.ndarray, targets: np.ndarray, length: int):
    from nets.losses import cross_entropy
    logits = model(inputs)[:, length:]  # the positions after SEP, that predict xn .. x1
    vocab = logits.shape[-1]
    return cross_entropy(logits.reshape(-1, vocab), targets[:, length:].reshape(-1)), logits


def train_run(job: dict) -> dict:
    """Train one model; its curve, failure, accuracy and gradient norms per layer at init."""
    import nets
    start = time.process_time()
    vocab, length, batch = job["vocab"], job["length"], job["batch"]
    model = nets.CausalLM(vocab + 1, job["d_model"], job["nhead"], job["depth"],
                          2 * length + 1, pre_norm=job["pre_norm"], seed=job["seed"])
    rng = np.random.default_rng([job["seed"], 1])  # the batches: the same for both norms
    loss, _ = _loss(model, *reversal_batch(rng, batch, length, vocab), length)
    loss.backward()
    layer_grads = [float(np.sqrt(sum((p.grad ** 2).sum() for p in block.parameters())))
                   for block in model.blocks]
    optimizer = nets.optim.Adam(model.parameters(), lr=job["lr"])  # constant: no warm-up
    curve, diverged = [], False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(job["steps"]):
            loss, _ = _loss(model, *reversal_batch(rng, batch, length, vocab), length)
            if not math.isfinite(loss.item()):
                diverged = True
                break
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            curve.append(loss.item())
        inputs, targets = reversal_batch(np.random.default_rng([job["seed"], 2]), 256, length,
                                         vocab)
        from tinygrad_res import no_grad
        with no_grad():
            _, logits = _loss(model, inputs, targets, length)
    accuracy = float((logits.data.argmax(axis=-1) == targets[:, length:]).mean())
    tail = curve[-max(1, len(curve) // 10):]
    final = float("nan") if diverged else float(np.mean(tail))
    return {**job, "curve": curve, "diverged": diverged, "final": final,
            "accuracy": 0.0 if diverged or not math.isfinite(accuracy) else accuracy,
            "layer_grad_norm_at_init": layer_grads, "parameters": model.num_parameters(),
            "cpu_seconds": time.process_time() - start}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depths", type=positive_int, nargs="+", default=None,
                        help="transformer layers (default: 2 6 12 18 24; --quick: 2 4)")
    parser.add_argument("--seeds", type=positive_int, default=None,
                        help="seeds SEED..SEED+N-1 per depth (default: 3; --quick: 1)")
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="Adam steps (default: 150; --quick: 15)")
    parser.add_argument("--lr", type=positive_float, default=3e-3,
                        help="Adam learning rate, constant: no warm-up (default: %(default)s)")
    parser.add_argument("--d-model", type=positive_int, default=32,
                        help="model width (default: %(default)s)")
    parser.add_argument("--nhead", type=positive_int, default=4,
                        help="attention heads, dividing --d-model (default: %(default)s)")
    parser.add_argument("--length", type=at_least(2), default=TASK["length"],
                        help="symbols to reverse (default: %(default)s)")
    parser.add_argument("--workers", type=positive_int, default=None,
                        help="worker processes (default: 2; --quick: 1)")


def run(args: argparse.Namespace) -> dict:
    if args.d_model % args.nhead:
        usage_error("transformer_norm", f"argument --nhead: {args.nhead} does not divide "
                                        f"--d-model {args.d_model}")
    config = QUICK if args.quick else FULL
    depths = sorted(set(args.depths or config["depths"]))
    seeds, steps = args.seeds or config["seeds"], args.steps or config["steps"]
    jobs = [{"depth": depth, "pre_norm": pre_norm, "seed": args.seed + s, "steps": steps,
             "lr": args.lr, "d_model": args.d_model, "nhead": args.nhead, **TASK,
             "length": args.length}
            for depth in depths for pre_norm in (True, False) for s in range(seeds)]
    start = time.perf_counter()
    runs = run_jobs(jobs, args.workers or (1 if args.quick else 2), train_run)
    summary = summarise(runs, depths, seeds)
    found = verdict(summary, depths, seeds)
    chance = math.log(TASK["vocab"])
    rows = [[depth, label, f"{cell['median_final']:.4f}",
             f"{100 * cell['median_accuracy']:.1f}", f"{cell['failed']}/{seeds}",
             f"{cell['grad_first']:.3g}", f"{cell['grad_last']:.3g}"]
            for depth in depths for label in ("pre-LN", "post-LN")
            for cell in [summary[label][depth]]]
    table = make_table(
        f"Sequence reversal ({args.length} symbols of {TASK['vocab']}), Adam lr {args.lr:g} "
        f"constant (no warm-up), {steps} steps: medians over {seeds} seed(s)",
        ["layers", "norm", "final loss", "accuracy %", "failed", "||grad|| layer 1 at init",
         "||grad|| last layer at init"], rows,
        note=(f"final loss: mean of the last 10% of steps; chance level ln {TASK['vocab']} = "
              f"{chance:.3f}; a run fails when it diverges or ends above half of that. accuracy: "
              f"the reversed symbols predicted right on 256 fresh sequences. ||grad||: of all "
              f"parameters of one layer, on the first batch. The seeds publish no numbers. "
              f"Verdict: {found['text']}."))
    print(f"Claims (seeds 000/004): {CLAIMS}\n")
    print(format_table(table))
    print(f"\nverdict: {found['text']}" + (" (quick mode: too short to conclude anything)"
                                          if args.quick else ""))
    cpu = sum(r["cpu_seconds"] for r in runs)
    print(f"{len(runs)} runs, {cpu:.0f} s of CPU, {time.perf_counter() - start:.0f} s")
    return {"claims": CLAIMS, "depths": depths, "seeds": seeds, "seeds_from": args.seed,
            "steps": steps, "lr": args.lr, "d_model": args.d_model, "nhead": args.nhead,
            "task": {**TASK, "length": args.length}, "chance": chance,
            "summary": {label: {str(d): cell for d, cell in cells.items()}
                        for label, cells in summary.items()},
            "verdict": found, "runs": runs, "cpu_seconds": cpu, "tables": [table],
            "figures": [plot(runs, summary, depths, chance, args.out)]}


main = make_main(__name__)

if __name__ == "__main__":
    main()
