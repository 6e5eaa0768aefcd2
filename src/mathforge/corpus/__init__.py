"""The math corpus pipeline. So far: benchmark decontamination (used by synthetic data)."""
