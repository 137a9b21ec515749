"""Who may see and do what: the one permission seam (docs/permissions.md).

- ``scope``: the units (and bureaus) a person reaches: ``units_for(user)``;
- ``perms``: the permissions as ``rules`` predicates, checked by services with ``require``;
- ``lookups``: ``get_…_for_user`` for every object kind pages, downloads, commands and the API
  fetch; outside the scope they answer 404, so an object's existence does not leak.
"""
