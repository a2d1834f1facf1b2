"""python -m tinygrad_res.viz: step through a 2-block residual MLP in the terminal or a browser.

    python -m tinygrad_res.viz                                # backward steps as text
    python -m tinygrad_res.viz --forward                      # forward steps as text
    python -m tinygrad_res.viz --html out/stepper.html --open # the stepper page, in a browser
    python -m tinygrad_res.viz --svg out/graph.svg            # the graph as an image
"""
from __future__ import annotations

import argparse
import sys
import webbrowser
from typing import Optional, Sequence

from .example import residual_mlp_example
from .text import print_trace
from .trace import trace_backward, trace_forward


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tinygrad_res.viz",
        description="Step through the forward and backward pass of a small residual MLP "
                    "(h = h + relu(linear(h)) per block, mean squared error loss).")
    parser.add_argument("--forward", action="store_true",
                        help="print the forward steps instead of the backward steps")
    parser.add_argument("--blocks", type=int, default=2, help="residual blocks (default 2)")
    parser.add_argument("--width", type=int, default=3, help="features per layer (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the weights")
    parser.add_argument("--html", metavar="PATH",
                        help="write the step-through page (forward and backward) to PATH")
    parser.add_argument("--svg", metavar="PATH",
                        help="write the graph drawing to PATH (.svg, .png or .pdf)")
    parser.add_argument("--open", action="store_true",
                        help="open the page in a web browser (without --html it is written to "
                             "out/stepper.html)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.open and not args.html:
        args.html = "out/stepper.html"
    loss = residual_mlp_example(blocks=args.blocks, width=args.width, seed=args.seed)
    if not (args.html or args.svg):
        print_trace(trace_forward(loss) if args.forward else trace_backward(loss))
        return 0
    if args.svg:
        from .graph import draw_graph
        from .renderer import render
        print(f"wrote {render(draw_graph(loss), args.svg)}")
    if args.html:
        from .stepper import save_stepper
        path = save_stepper(loss, args.html)
        print(f"wrote {path}: open it in a browser and step with the arrow keys")
        if args.open:
            webbrowser.open(path.resolve().as_uri())
    return 0


if __name__ == "__main__":
    sys.exit(main())
