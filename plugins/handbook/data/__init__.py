"""Data layer: strict YAML reading, schemas, the loader that builds the immutable model, and rules."""
