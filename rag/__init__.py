"""Offline question answering over news articles, every claim cited."""
