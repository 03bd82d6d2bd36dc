"""Crèche pre-registration after submission: the waiting list, the family's link, the relance, the commission.

The citizen's side of the wizard lives with the wizard; the pure parts (PSU estimate, points and rank, settings)
live in psu.py, creche_points.py and creche_settings.py.
"""
