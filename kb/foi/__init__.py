"""FOI: disclosure records and precedents, the request log against the clock, and its statistics."""
