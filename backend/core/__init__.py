"""The thin shared core every domain builds on: errors, HTTP mapping, paging, the court clock, streams."""
