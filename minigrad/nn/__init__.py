"""Layers, functions and initialisers for neural networks, with PyTorch's names and layouts."""

from . import functional, init
from .layers import (LSTM, BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Flatten, LeakyReLU,
                     Linear, ReLU, Sigmoid, Tanh)
from .module import Module, Parameter, Sequential, functional_call
