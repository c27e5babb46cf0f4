"""The development corpus: real layouts, written for the purpose, with gold and a held-back fold."""
