"""The change log (审计日志): one append-only, hash-chained row per change, written by services."""
