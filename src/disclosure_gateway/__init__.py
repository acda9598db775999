"""disclosure-gateway: answer another agency's requests for confidential records
lawfully, accurately, minimally and accountably.

The pipeline (see docs/architecture.md):
signed batch -> intake -> gate -> normalise -> match -> decide -> respond,
every step appending to the ledger.
"""

__version__ = "0.1.0"
