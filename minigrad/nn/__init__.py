"""Layers, functions and initialisers for neural networks, with PyTorch's names and layouts."""

from . import functional, init, utils
from .layers import (BCELoss, BCEWithLogitsLoss, BatchNorm1d, BatchNorm2d, Conv2d,
                     ConvTranspose2d, CrossEntropyLoss, Dropout, Flatten, LeakyReLU, Linear,
                     MSELoss, NLLLoss, ReLU, Sigmoid, Tanh)
from .recurrent import LSTM, LSTMCell
from .module import Module, Parameter, Sequential, functional_call
