"""Storage: the SQLite schema and migrations, filters, locks, and the repositories that own all SQL."""
