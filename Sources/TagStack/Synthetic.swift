// Placeholder: the synthetic generator (SyntheticGenerator) is being written.
