"""Evaluation metrics: mixture mode coverage, pairwise distances, a digit classifier, and the
colour distribution of colour digits."""

from ugan.metrics.classifier import DigitClassifier, trained_digit_classifier
from ugan.metrics.colour import colour_histogram, recover_colours
from ugan.metrics.divergences import js_divergence
from ugan.metrics.fashion import fashion_classifier
from ugan.metrics.distances import (mean_pairwise_distance, pairwise_distance_histogram,
                                    shared_distance_histograms)
from ugan.metrics.inference import reconstruction_errors, win_rate
from ugan.metrics.mixture import mixture_metrics

__all__ = ["DigitClassifier", "colour_histogram", "fashion_classifier", "js_divergence", "mean_pairwise_distance",
           "mixture_metrics", "pairwise_distance_histogram", "reconstruction_errors",
           "recover_colours", "shared_distance_histograms", "trained_digit_classifier", "win_rate"]
