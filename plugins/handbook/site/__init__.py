"""MkDocs glue: the plugin, per-page navigation and the atomic build."""
