"""Publication (信息公开): a bureau publishes a unit's targets and approved self-evaluation as
frozen snapshots on public, read-only pages reached by random tokens (docs/publication.md)."""
