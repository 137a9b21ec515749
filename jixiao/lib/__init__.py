"""Small helpers the whole system shares: the acting person, query-string parsing."""
