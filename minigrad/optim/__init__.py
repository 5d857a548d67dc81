"""minigrad.optim: optimizers whose ``step`` is the update formula written out, equal to
``torch.optim``'s, and learning-rate schedules."""
from . import lr_scheduler
from .adagrad import Adadelta, Adagrad
from .adam import Adam, AdamW
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .seed_variants import SeedF12Adam, SeedF13Adam
from .sgd import SGD

__all__ = ["lr_scheduler", "Adadelta", "Adagrad", "Adam", "AdamW", "LBFGS", "Optimizer", "RMSprop",
           "SeedF12Adam", "SeedF13Adam", "SGD"]
