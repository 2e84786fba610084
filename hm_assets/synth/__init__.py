"""Synthetic H&M data in the exact Kaggle format, drawn from a calibrated latent model."""

from hm_assets.synth.generator import SCALES, generate

__all__ = ["SCALES", "generate"]
