"""Evaluation metrics: mixture mode coverage, pairwise distances, and a digit classifier."""

from ugan.metrics.classifier import DigitClassifier, trained_digit_classifier
from ugan.metrics.distances import mean_pairwise_distance, pairwise_distance_histogram
from ugan.metrics.mixture import mixture_metrics

__all__ = ["DigitClassifier", "mean_pairwise_distance", "mixture_metrics",
           "pairwise_distance_histogram", "trained_digit_classifier"]
