"""Checkpoint loading, label mapping by name, and the offline default model."""
