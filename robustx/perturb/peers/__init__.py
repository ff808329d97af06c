"""Adapters that run nlpaug and TextAttack augmenters as robustx recipes (optional extras)."""
