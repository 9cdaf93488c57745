"""The paper's generators and discriminators."""

from ugan.models.conv import ConvDiscriminator, ConvGenerator
from ugan.models.lstm import LSTMGenerator
from ugan.models.mlp import MixtureDiscriminator, MixtureGenerator
from ugan.models.paper import (PaperConvDiscriminator, PaperConvGenerator,
                               PaperLSTMDiscriminator, PaperLSTMGenerator, colour_pair,
                               dcgan_pair, lstm_pair, stacked_pair)

__all__ = ["ConvDiscriminator", "ConvGenerator", "LSTMGenerator", "MixtureDiscriminator",
           "MixtureGenerator", "PaperConvDiscriminator", "PaperConvGenerator",
           "PaperLSTMDiscriminator", "PaperLSTMGenerator", "colour_pair", "dcgan_pair",
           "lstm_pair", "stacked_pair"]
