"""What serves the whole system: the commands that span apps (demo, export, serve, backup,
restore), the demo data, request ids and error pages."""
