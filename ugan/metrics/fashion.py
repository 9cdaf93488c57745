"""Compatibility for ``ugan.experiments`` until it calls
``ugan.metrics.classifier.trained_classifier("fashion-mnist", directory)`` itself."""

from ugan.metrics.classifier import trained_classifier


def trained_fashion_classifier(directory=None):
    """(the Fashion-MNIST ImageClassifier of ``directory``, its accuracy on the test split)."""
    classifier = trained_classifier("fashion-mnist", directory)
    return classifier, classifier.report["test_accuracy"]
