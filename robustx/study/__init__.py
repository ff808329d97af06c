"""Study files: a TOML grid of checkpoints x languages x perturbations x seeds."""
