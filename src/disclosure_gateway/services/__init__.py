"""Service functions: the one place the CLI, the API and the console call.

Each module is one concept (batches, review, agreement, ledger, accounting,
disclosures, users). None of the interfaces holds logic these lack.
"""
