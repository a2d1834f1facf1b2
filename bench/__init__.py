"""Speed and memory comparisons: the engine against hand-written numpy and PyTorch.

    python -m bench                 # every workload in three fresh processes -> bench/RESULTS.md
    python -m bench.w0_seed000      # one workload, printed

Every contender gets one BLAS thread (forced here, before anything imports numpy) and they run
alternately in one process, so a noisy neighbour slows all of them alike: the ratios are what
we compare. Not collected by pytest (its testpaths is tests/).
"""
import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"
