"""Building the synthetic world: calibration, people, households, registries, auxiliary data."""
