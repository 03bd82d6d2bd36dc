"""An invalid value at every step: a French message at the field, an error summary, every value kept."""

from .journeys import DUPONT, LEFEBVRE, add_child, begin, fill_identity, start, through_api


def assert_error_page(page, heading):
    assert page.status == 400
    assert page.title.startswith("Erreur : ") and not page.title.startswith("Erreur : Erreur")
    assert page.h1 == heading
    assert page.error_summary(), "un résumé des erreurs est attendu"


def test_start_page_without_a_demarche_says_so_once_in_the_title(browser):
    page = browser.get("/").submit("Commencer ma demande")
    assert page.status == 400
    assert page.title.startswith("Erreur : Demander le Pass Famille ou une place en crèche – "), page.title
    assert page.error_summary(), "un résumé des erreurs est attendu"


def test_information_step_without_a_choice_says_what_to_choose(browser):
    page = begin(browser).submit("Continuer")
    assert_error_page(page, "Votre quotient familial : ce que la mairie demande à la CAF ou à la MSA")
    assert "Choisissez comment justifier votre quotient familial" in page.error_summary()


def test_empty_applicant_page_names_each_missing_field(browser):
    page = start(browser).submit("Continuer")
    assert_error_page(page, "Vous")
    assert page.field_error("Nom de naissance") == "Erreur : Saisissez votre nom de naissance"
    assert "Saisissez votre premier prénom" in page.field_error("Premier prénom")
    assert "Indiquez le sexe inscrit à l'état civil" in page.field_error("Féminin")
    assert "Saisissez votre date de naissance complète" in page.field_error("Jour")
    assert "Saisissez votre adresse électronique" in page.field_error("Adresse électronique")


def test_applicant_page_keeps_every_value_when_the_date_is_invalid(browser):
    page = fill_identity(start(browser), {**LEFEBVRE, "birth_date": ("31", "02", "1982")}).submit("Continuer")
    assert_error_page(page, "Vous")
    assert "Cette date n'existe pas" in page.field_error("Jour")
    assert page.value("Nom de naissance") == "LEFEBVRE"
    assert page.value("Deuxième prénom (facultatif)") == "GÉRÔME"
    assert page.value("Troisième prénom (facultatif)") == "JEAN-PHILIPPE"
    assert page.value("Féminin") == "checked"
    assert (page.value("Jour"), page.value("Mois"), page.value("Année")) == ("31", "02", "1982")
    assert page.value("Département de naissance") == "08"
    assert page.value("Commune de naissance") == "Villers-Semeuse"
    assert page.value("Adresse électronique") == "famille@example.org"


def test_names_keep_accents_hyphens_and_apostrophes_but_refuse_digits(browser):
    page = fill_identity(start(browser), {**LEFEBVRE, "birth_name": "D’ANGELO-ÉPÉE", "first_names": ["J3AN"]})
    page = page.submit("Continuer")
    assert "Le premier prénom ne peut contenir que des lettres" in page.field_error("Premier prénom")
    assert page.field_error("Nom de naissance") == ""
    assert page.value("Nom de naissance") == "D'ANGELO-ÉPÉE"  # typographic apostrophe made straight


def test_unknown_birth_commune_suggests_close_names(browser):
    page = fill_identity(start(browser), {**LEFEBVRE, "commune": "Villers-Semeuze"}).submit("Continuer")
    assert_error_page(page, "Vous")
    assert "Vouliez-vous dire : Villers-Semeuse" in page.field_error("Commune de naissance")
    assert page.value("Commune de naissance") == "Villers-Semeuze"


def test_born_abroad_without_a_country_is_asked_for_it(browser):
    page = fill_identity(start(browser), {**LEFEBVRE, "country": "Italie"})
    page = page.select("Pays de naissance", "Choisissez un pays").submit("Continuer")
    assert "Choisissez votre pays de naissance dans la liste" in page.field_error("Pays de naissance")


def test_invalid_email_gives_an_example(browser):
    page = fill_identity(start(browser), LEFEBVRE, email="famille@").submit("Continuer")
    assert "par exemple : nom@exemple.fr" in page.field_error("Adresse électronique")


def test_verification_without_an_answer_asks_for_one(browser):
    page = through_api(browser, LEFEBVRE).submit("Continuer")
    assert_error_page(page, "Vérifiez les informations de la CAF/MSA")
    assert page.field_error("Oui, elles sont correctes") == "Erreur : Choisissez une réponse pour continuer"


def test_household_keeps_the_child_being_added_when_its_date_is_wrong(browser):
    page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    page = page.fill("Prénom de l'enfant", "Léa").fill("Jour", "14").fill("Mois", "13").fill("Année", "2024")
    page = page.submit("Enregistrer et ajouter un autre enfant")
    assert_error_page(page, "Votre foyer")
    assert "Cette date n'existe pas" in page.field_error("Jour")
    assert "Choisissez pourquoi cet enfant n'apparaît pas" in page.field_error(
        "Pourquoi cet enfant n'apparaît-il pas ?"
    )
    assert (page.value("Prénom de l'enfant"), page.value("Mois")) == ("Léa", "13")


def test_household_typed_address_needs_a_five_digit_postal_code(browser):
    page = through_api(browser, {**LEFEBVRE, "birth_name": "INCONNU"})
    page = page.choose("Continuer sans justificatif : le Pass Famille sera au plein tarif").submit("Continuer")
    page = page.fill("Numéro et voie", "3 rue du Four").fill("Code postal", "1300").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert_error_page(page, "Votre foyer")
    assert "5 chiffres" in page.field_error("Code postal")
    assert page.value("Numéro et voie") == "3 rue du Four"


def test_document_of_the_wrong_type_is_refused_by_its_content_and_the_qf_is_kept(browser):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "avis.pdf", b"MZ\x90\x00 not a pdf at all")
    page = page.fill("Quotient familial indiqué sur le document, en euros", "850").submit("Continuer")
    assert_error_page(page, "Votre justificatif de quotient familial")
    assert "PDF, JPEG ou PNG" in page.field_error("Votre justificatif")
    assert page.value("Quotient familial indiqué sur le document, en euros") == "850"
    assert page.value("Attestation de quotient familial de la CAF ou de la MSA") == "checked"


def test_document_over_ten_megabytes_is_refused_with_a_french_message(browser):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Dernier avis d'imposition")
    page = page.attach("Votre justificatif", "avis.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    page = page.fill("Quotient familial indiqué sur le document, en euros", "850").submit("Continuer")
    assert "dépasse 10 Mo" in page.field_error("Votre justificatif")


def test_declared_qf_must_be_a_whole_number(browser):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA").attach(
        "Votre justificatif", "a.png", b"\x89PNG\r\n\x1a\nxxxx"
    )
    page = page.fill("Quotient familial indiqué sur le document, en euros", "huit cents").submit("Continuer")
    assert "nombre entier d'euros" in page.field_error("Quotient familial indiqué sur le document, en euros")
    # The valid file was kept: the page says so and does not ask for it again.
    assert "Fichier déjà joint : PNG" in page.text
    page = page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    assert page.h1 == "Votre foyer"


def test_a_request_far_over_the_limit_gets_a_french_page_with_a_way_back(browser):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Dernier avis d'imposition").attach(
        "Votre justificatif", "scan.pdf", b"%PDF" + b"0" * (12 << 20)
    )
    page = page.submit("Continuer")
    assert page.status == 413 and page.h1 == "Envoi trop volumineux"
    page = page.click("Revenez à la page du justificatif")
    assert page.h1 == "Votre justificatif de quotient familial"
    assert page.value("Dernier avis d'imposition") == ""  # this step's answers were never received
    assert browser.get("/demande/demandeur").value("Nom de naissance") == "DUPONT"  # earlier steps are kept


# --- digits that are not ASCII digits, numbers past int()'s limit, zero as a day (each was a 500 or accepted) ----


def test_superscript_digits_in_the_birth_date_are_told_at_the_date_and_every_value_is_kept(browser):
    page = fill_identity(start(browser), {**LEFEBVRE, "birth_date": ("²", "12", "1982")}).submit("Continuer")
    assert_error_page(page, "Vous")
    assert "Le jour de naissance doit être un nombre de 1 à 31, par exemple : 27" in page.field_error("Jour")
    assert (page.value("Jour"), page.value("Mois"), page.value("Année")) == ("²", "12", "1982")
    assert page.value("Nom de naissance") == "LEFEBVRE"
    assert page.value("Commune de naissance") == "Villers-Semeuse"


def test_a_5000_digit_birth_year_is_refused_with_its_format(browser):
    page = fill_identity(start(browser), {**LEFEBVRE, "birth_date": ("27", "12", "9" * 5000)}).submit("Continuer")
    assert_error_page(page, "Vous")
    assert "L'année de naissance doit être un nombre de 4 chiffres" in page.field_error("Année")


def test_a_birth_day_or_month_zero_is_not_a_complete_date(browser):
    page = fill_identity(start(browser), LEFEBVRE)
    for day, month in (("0", "12"), ("27", "0"), ("00", "00")):
        page = page.fill("Jour", day).fill("Mois", month).submit("Continuer")
        assert_error_page(page, "Vous")
        assert "doit être un nombre de 1 à" in page.field_error("Jour"), (day, month)


def test_declared_qf_in_arabic_digits_or_5000_digits_is_refused(browser):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA").attach(
        "Votre justificatif", "a.png", b"\x89PNG\r\n\x1a\nxxxx"
    )
    for typed in ("٨٥٠", "9" * 5000):
        page = page.fill("Quotient familial indiqué sur le document, en euros", typed).submit("Continuer")
        assert page.status == 400
        assert "nombre entier d'euros" in page.field_error("Quotient familial indiqué sur le document, en euros")


def test_a_childs_birth_date_in_other_digits_is_refused_with_the_child_kept(browser):
    page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    page = page.fill("Prénom de l'enfant", "Léa").fill("Jour", "١٤").fill("Mois", "07").fill("Année", "2024")
    page = page.select("Pourquoi cet enfant n'apparaît-il pas ?", "Naissance récente")
    page = page.submit("Enregistrer et ajouter un autre enfant")
    assert_error_page(page, "Votre foyer")
    assert "Le jour de naissance de l'enfant doit être un nombre de 1 à 31" in page.field_error("Jour")
    assert (page.value("Prénom de l'enfant"), page.value("Jour")) == ("Léa", "١٤")


def test_removing_a_child_with_an_index_that_is_not_one_keeps_the_list(browser):
    page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    page = add_child(page)
    token = page.soup.find("form", action="/demande/foyer/retirer").find(attrs={"name": "csrf_token"})["value"]
    for index in ("²", "9" * 5000, "-1", "7"):
        page = browser.post("/demande/foyer/retirer", {"csrf_token": token, "index": index})
        assert page.h1 == "Votre foyer" and "Léa, né ou née le 14/07/2024" in page.text, index


def test_a_postal_code_in_other_digits_is_refused(browser):
    page = through_api(browser, {**LEFEBVRE, "birth_name": "INCONNU"})
    page = page.choose("Continuer sans justificatif : le Pass Famille sera au plein tarif").submit("Continuer")
    page = page.fill("Numéro et voie", "3 rue du Four").fill("Code postal", "١٣٠٠٦").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert_error_page(page, "Votre foyer")
    assert "5 chiffres" in page.field_error("Code postal")


def test_crèche_days_hours_and_start_in_other_digits_are_refused_at_their_fields(browser):
    from .test_creche_journeys import fill_wishes, to_wishes

    page = fill_wishes(to_wishes(browser), start=("٠٥", "01", "2027"), days="²", hours="9" * 5000)
    page = page.submit("Continuer")
    assert_error_page(page, "Vos souhaits d'accueil")
    assert "en chiffres uniquement" in page.field_error("Jour")
    assert "nombre entier de 1 à 5" in page.field_error("Nombre de jours d'accueil par semaine")
    assert "nombre entier de 1 à 60" in page.field_error("Nombre d'heures d'accueil par semaine")
    assert page.value("Nombre de jours d'accueil par semaine") == "²"


def test_the_agents_queue_takes_a_page_that_is_not_a_number_for_the_first(app):
    from ..backoffice.agents import logged_in, make_agent

    make_agent(app)
    agent = logged_in(app)
    for page_number in ("²", "١", "9" * 5000, "-3", "0"):
        page = agent.get(f"/agents/?page={page_number}")
        assert page.status == 200 and page.h1 == "Demandes", page_number
