"""Access: users, roles and the audit of every change, and backups."""
