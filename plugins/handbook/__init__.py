"""handbook: MkDocs plugins and generators for the implementation handbook."""
