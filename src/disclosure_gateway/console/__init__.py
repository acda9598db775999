"""The web console: server-rendered pages for disclosure officers, reviewers,
auditors and admins, over the same service functions as the CLI and the API."""
