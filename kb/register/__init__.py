"""The recommendation register: tracking, verified closure, drafts, the dashboard and the board report."""
