"""Jixiao (绩效): budget performance management for Chinese budget units."""

__version__ = "0.1.0"
