"""Synthetic H&M data in the exact Kaggle format, drawn from a calibrated latent model."""

from hm_assets.synth.generator import SCALES, generate
from hm_assets.synth.profiles import PROFILES, Profile

__all__ = ["PROFILES", "SCALES", "Profile", "generate"]
