"""Learning-rate schedules, PyTorch's ``torch.optim.lr_scheduler``: ``StepLR`` and
``CosineAnnealingLR``. Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``;
the optimizer's ``lr`` is set to the schedule's value at the new epoch count.

Each value is computed in closed form from the epoch count (PyTorch's cosine schedule updates
recursively; the two agree to float rounding)."""

import math


class LRScheduler:
    """What the schedules share: the optimizer, its initial lr, and the epoch count."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0

    def lr_at(self, epoch):
        raise NotImplementedError

    def step(self):
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self):
        """[the current lr], a list as in PyTorch (one per parameter group; here one)."""
        return [self.optimizer.lr]

    def state_dict(self):
        return {"base_lr": self.base_lr, "last_epoch": self.last_epoch}

    def load_state_dict(self, state):
        self.base_lr, self.last_epoch = state["base_lr"], state["last_epoch"]


class StepLR(LRScheduler):
    """lr = base_lr * gamma ^ (epoch // step_size): decayed by ``gamma`` every ``step_size``
    epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1):
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def lr_at(self, epoch):
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2: from base_lr down
    to ``eta_min`` over ``T_max`` epochs, and back up over the next T_max."""

    def __init__(self, optimizer, T_max, eta_min=0.0):  # noqa: N803 (PyTorch's name)
        super().__init__(optimizer)
        self.T_max, self.eta_min = T_max, eta_min

    def lr_at(self, epoch):
        return self.eta_min + (self.base_lr - self.eta_min) * \
            (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0
