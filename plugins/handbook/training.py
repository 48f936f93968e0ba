"""Placeholder until the training family lands."""


def pages(model, templates_dir):
    """No pages yet."""
    return []
