"""The ``jixiao score`` command: the self-evaluation scorer on a JSON file."""
