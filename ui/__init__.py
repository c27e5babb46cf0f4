"""The app by tab: each module builds one tab (or section) and holds its handlers; app.py puts them together."""
