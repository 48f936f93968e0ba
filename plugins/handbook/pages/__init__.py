"""Page families: pure functions from the model to Markdown, with the paths each family owns."""
