"""Reports of a `ChangeSet` for people and machines: terminal text, Markdown (pull requests), JSON."""
