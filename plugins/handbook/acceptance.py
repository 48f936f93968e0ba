"""Placeholder until the acceptance family lands."""


def pages(model, templates_dir):
    """No pages yet."""
    return []
