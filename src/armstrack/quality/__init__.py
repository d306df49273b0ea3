"""Measuring extraction against gold: the corpus README's matching rules, strict and lenient.

Takes extracted facts and gold folders; gives precision, recall and F1 per fact type,
time and status accuracy, and the missed and extra facts of each article.
"""
