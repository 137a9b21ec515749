"""Static files: hashed, compressed copies made by collectstatic and served by WhiteNoise."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """WhiteNoise's manifest storage, giving plain names until collectstatic has run.

    ``jixiao serve`` always collects first, so a served page names the hashed files (cached
    for a year). Tests and ``runserver`` render pages without a collected manifest; there
    ``{% static %}`` gives the plain name (served by the development server's finders) instead
    of failing.
    """

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        """The hashed name from the manifest, or ``name`` itself when nothing was collected."""
        if not self.hashed_files:
            return name
        return str(super().stored_name(name))
