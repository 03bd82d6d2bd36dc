"""What the crèche requests' codes mean, in the agents' words: the commission's pages and the CSV read them here."""

PSU_SOURCES = {
    "api": "CAF/MSA (API Particulier)",
    "document": "justificatif de ressources",
    "pending": "à interroger plus tard",
    None: "aucune donnée (pas d'estimation)",
}
CHILD_SOURCES = {"caf": "CAF/MSA", "declared": "déclaré par la famille", "expected": "enfant à naître"}
# Agents read the short form; families read creche_settings.TABLE_LABELS.
SHORT_TABLE_LABELS = {"collective": "accueil collectif", "familial": "accueil familial"}
