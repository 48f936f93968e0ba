"""Placeholder until the faq family lands."""


def pages(model, templates_dir):
    """No pages yet."""
    return []
