"""Layers, functions and initialisers for neural networks, with PyTorch's names and layouts."""

from . import functional, init, utils
from .containers import ModuleDict, ModuleList
from .layers import (ELU, BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Dropout, Embedding,
                     Flatten, Identity, LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d, ReLU,
                     Sigmoid, SiLU, Softmax, Tanh)
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .recurrent import LSTM, LSTMCell
from .module import Module, Parameter, Sequential, functional_call
