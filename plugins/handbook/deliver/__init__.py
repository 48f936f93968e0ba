"""Deliverables made from a built site: customer bundles, the leak scan, PDF records, publishing."""
