"""The crèche's domain: its settings (settings.py, the CNAF barème in bareme.py), the PSU estimate and the points
and rank (psu.py, points.py, pure), and after submission the waiting list, the family's link, the relance and the
exports.

The citizen's side lives with the wizard (wizard/steps/creche.py); its state machine in demarches/creche.py.
"""
