"""Optimizers and learning-rate schedules with PyTorch's names, arguments and update rules.

    Optimizer                  the base class (optimizer.py): one parameter group, `state`
    SGD, Adam                  optimizer.py (SGD.step is the course's task 5.1)
    AdamW                      adamw.py: Adam with decoupled weight decay
    RMSprop                    rmsprop.py: momentum and centered forms
    lr_scheduler               StepLR, CosineAnnealingLR (lr_scheduler.py)

Every step changes the parameters with the in-place methods of tinygrad_res/inplace.py under
`no_grad()`, so a graph that saved a parameter before the step refuses a later backward.

    >>> import nets
    >>> opt = nets.optim.AdamW(nets.Linear(2, 2).parameters(), lr=1e-3)
    >>> schedule = nets.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
"""
from . import lr_scheduler
from .adamw import AdamW
from .optimizer import SGD, Adam, Optimizer
from .rmsprop import RMSprop

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]
