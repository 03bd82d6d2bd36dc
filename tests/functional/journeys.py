"""Steps of a citizen's journey, written as a person would do them: by the labels they read."""

LEFEBVRE = {
    "birth_name": "LEFEBVRE",
    "first_names": ["ALEXIS", "GÉRÔME", "JEAN-PHILIPPE"],
    "sex": "Féminin",
    "birth_date": ("27", "12", "1982"),
    "department": "08 – Ardennes",
    "commune": "Villers-Semeuse",
}
DUPONT = {
    "birth_name": "DUPONT",
    "first_names": ["SOPHIE"],
    "sex": "Féminin",
    "birth_date": ("03", "09", "1982"),
    "department": "13 – Bouches-du-Rhône",
    "commune": "Aix-en-Provence",
}
EMAIL = "famille@example.org"


PASS_FAMILLE = "Le Pass Famille"
CRECHE = "Une place en crèche (préinscription)"
BOTH = "Les deux"
CAF_MODE = "Récupérer mes informations auprès de la CAF ou de la MSA"


def begin(browser, demarche=PASS_FAMILLE):
    """The start page: the démarche (asked when the commune has crèches), then « Commencer ma demande »."""
    page = browser.get("/")
    if page.has_label(demarche):
        page.choose(demarche)
    return page.submit("Commencer ma demande")


def start(browser, mode=CAF_MODE, demarche=PASS_FAMILLE):
    page = begin(browser, demarche)
    if demarche != CRECHE:
        assert page.h1.startswith("Votre quotient familial"), page.h1
    return page.choose(mode).submit("Continuer")


def fill_identity(page, person, email=EMAIL):
    page.fill("Nom de naissance", person["birth_name"])
    if person.get("usage_name"):
        page.fill("Nom d'usage (facultatif)", person["usage_name"])
    labels = ["Premier prénom", "Deuxième prénom (facultatif)", "Troisième prénom (facultatif)"]
    for label, name in zip(labels, person["first_names"], strict=False):
        page.fill(label, name)
    if not person["first_names"]:
        page.check("Je n'ai pas de prénom à l'état civil")
    if page.has_label("Jour"):
        page.choose(person["sex"])
        day, month, year = person["birth_date"]
        page.fill("Jour", day).fill("Mois", month).fill("Année", year)
        if not (day and month and year):
            page.check("Je ne connais pas le jour ou le mois de ma naissance")
        if person.get("country"):
            page.choose("À l'étranger").select("Pays de naissance", person["country"])
        else:
            page.choose("En France (métropole ou outre-mer)")
            page.select("Département de naissance", person["department"]).fill(
                "Commune de naissance", person["commune"]
            )
    page.fill("Adresse électronique", email)
    return page


MSA_MARTIN = {
    "birth_name": "Martin",
    "first_names": ["Pierre"],
    "sex": "Masculin",
    "birth_date": ("27", "06", "1987"),
    "department": "51 – Marne",
    "commune": "Châlons-en-Champagne",
}
GIRAUD = {
    "birth_name": "GIRAUD",
    "first_names": ["ANNE"],
    "sex": "Féminin",
    "birth_date": ("01", "12", "1988"),
    "department": "13 – Bouches-du-Rhône",
    "commune": "Allauch",
}
LISA = {  # born abroad, date of birth unknown: the official fixture sends no date at all
    "birth_name": "LISA",
    "first_names": ["MONA"],
    "sex": "Féminin",
    "birth_date": ("", "", ""),
    "country": "Italie",
}
UNKNOWN = {**LEFEBVRE, "birth_name": "INCONNU", "first_names": ["PERSONNE"]}


def fault_identity(name: str, first_name: str) -> dict:
    """The official sandbox's identities that answer 429, 502 or 504."""
    return {
        "birth_name": name,
        "first_names": [first_name],
        "sex": "Masculin",
        "birth_date": ("05", "12", "2002"),
        "department": "08 – Ardennes",
        "commune": "Villers-Semeuse",
    }


def type_child(page, first_name="Léa", born=("14", "07", "2024"), reason="Naissance récente"):
    """A child typed on « Votre foyer », not yet sent: « Continuer » adds it (the last or only one)."""
    page.fill("Prénom de l'enfant", first_name)
    page.fill("Jour", born[0]).fill("Mois", born[1]).fill("Année", born[2])
    return page.select("Pourquoi cet enfant n'apparaît-il pas ?", reason)


def add_child(page, first_name="Léa", born=("14", "07", "2024"), reason="Naissance récente"):
    return type_child(page, first_name, born, reason).submit("Enregistrer et ajouter un autre enfant")


def through_api(browser, person, email=EMAIL):
    """From the start page to the page shown after the CAF/MSA call."""
    return fill_identity(start(browser), person, email).submit("Continuer")


def finish(page):
    """From the result page to the confirmation."""
    assert page.h1 == "Votre résultat", page.h1
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande", page.h1
    return page.submit("Envoyer ma demande")


def person(name, first_names, sex, born, department, commune):
    return {
        "birth_name": name,
        "first_names": first_names,
        "sex": sex,
        "birth_date": born,
        "department": department,
        "commune": commune,
    }


BDR = "13 – Bouches-du-Rhône"
# The identities the README lists, with what a person trying `make run` sees on the result page.
README_IDENTITIES = [
    (DUPONT, "Tranche B"),
    (person("MARTIN", ["PIERRE"], "Masculin", ("12", "06", "1985"), BDR, "Marseille"), "Tranche C"),
    (person("ROCHER", ["SANDRINE"], "Féminin", ("09", "11", "1986"), BDR, "Marseille"), "Tranche B"),
    (person("BERNANRD", ["JULIEN"], "Masculin", ("27", "02", "1979"), BDR, "Saint-Antonin-sur-Bayon"), "Tranche C"),
    (MSA_MARTIN, "n'est pas dans la commune"),
    (GIRAUD, "n'est pas dans la commune"),
    (LISA, "dépasse le plafond"),
]
