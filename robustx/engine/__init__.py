"""Batched inference: length-bucketed batches, dynamic padding, input-order results."""
