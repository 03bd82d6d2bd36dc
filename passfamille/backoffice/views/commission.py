"""Back-office views: the crèche commission (waiting lists per structure and age group, offering a place)."""

from .. import bp  # noqa: F401
