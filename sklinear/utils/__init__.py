"""Utilities: compliance checks for image transformers."""
