"""Spam and toxicity classifiers: features, training, evaluation and the shipped artifacts."""
