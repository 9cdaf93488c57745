"""Optimizers for training, and the differentiable Adam step used for unrolling."""

from .adam import Adam, AdamState, adam_update
from .optimizer import Optimizer
from .sgd import SGD
