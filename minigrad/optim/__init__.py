"""Optimizers for training, the differentiable Adam step used for unrolling, and learning-rate
schedules (``lr_scheduler``)."""

from . import lr_scheduler
from .adam import Adam, AdamState, AdamW, adam_update
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD
