"""Intake: a batch arrives as a directory (manifest, records file, detached signature)."""
