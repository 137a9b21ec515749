"""Accounts: who a person is in the unit tree (organisation and role)."""
