"""What a referral packet can hold, how decisions are coded, and the programmes shipped as examples.

Data, not code: labels in English, Russian and French travel together here (like the testimony
vocabularies). A programme lists the packet fields it needs; a packet never holds more than that.
"""
from __future__ import annotations

from django.utils import translation

LANGUAGE_CODES = ("en", "ru", "fr")


def _t(en: str, ru: str, fr: str) -> dict[str, str]:
    return {"en": en, "ru": ru, "fr": fr}


def label(labels: dict, lang: str | None = None) -> str:
    """The label in `lang` (default: the active language), else English."""
    lang = (lang or translation.get_language() or "en")[:2]
    return labels.get(lang) or labels.get("en") or ""


# --- packet fields ------------------------------------------------------------------------------
# code -> (labels, source, widget). Source "person.<attr>" / "case.<attr>" fills the packet from the
# record when the packet is built; "entry" is typed by the caseworker. Widget: "line" or "text".
FIELDS: dict[str, tuple[dict, str, str]] = {
    "full_name": (_t("Full name", "Полное имя", "Nom complet"), "person.full_name", "line"),
    "other_names": (_t("Other names and spellings", "Другие имена и написания", "Autres noms et graphies"),
                    "person.other_names", "text"),
    "date_of_birth": (_t("Date of birth", "Дата рождения", "Date de naissance"), "person.date_of_birth", "line"),
    "gender": (_t("Gender", "Гендер", "Genre"), "person.gender", "line"),
    "nationality": (_t("Nationality", "Гражданство", "Nationalité"), "entry", "line"),
    "languages": (_t("Languages spoken", "Языки", "Langues parlées"), "entry", "line"),
    "current_location": (_t("Current location (country)", "Текущее местонахождение (страна)",
                            "Lieu actuel (pays)"), "entry", "line"),
    "contact": (_t("Safe way to contact", "Безопасный способ связи", "Moyen de contact sûr"), "entry", "line"),
    "travel_documents": (_t("Travel documents held", "Имеющиеся документы", "Documents de voyage détenus"),
                         "entry", "text"),
    "persecution_summary": (_t("Why the person cannot stay", "Почему человек не может оставаться",
                               "Pourquoi la personne ne peut pas rester"), "case.summary", "text"),
    "risk_summary": (_t("Current risk", "Текущий риск", "Risque actuel"), "case.risk_reasons", "text"),
    "medical_needs": (_t("Medical needs", "Медицинские потребности", "Besoins médicaux"), "entry", "text"),
    "family_in_country": (_t("Family or ties in the receiving country", "Семья или связи в принимающей стране",
                             "Famille ou attaches dans le pays d’accueil"), "entry", "text"),
    "sponsor": (_t("Sponsor or receiving organisation", "Спонсор или принимающая организация",
                   "Parrain ou organisation d’accueil"), "entry", "line"),
    "consulate": (_t("Consulate where the visa is requested", "Консульство, где запрашивается виза",
                     "Consulat où le visa est demandé"), "entry", "line"),
}

# --- UNHCR Resettlement Registration Form (RRF) shape --------------------------------------------
SUBMISSION_CATEGORIES = [
    ("legal_physical_protection", _t("Legal and/or physical protection needs",
                                     "Потребность в правовой и/или физической защите",
                                     "Besoins de protection juridique et/ou physique")),
    ("survivor_violence_torture", _t("Survivor of violence and/or torture", "Пережившие насилие и/или пытки",
                                     "Survivant·e de violences et/ou de torture")),
    ("medical_needs", _t("Medical needs", "Медицинские потребности", "Besoins médicaux")),
    ("women_girls_at_risk", _t("Women and girls at risk", "Женщины и девочки в группе риска",
                               "Femmes et filles en situation de risque")),
    ("family_reunification", _t("Family reunification", "Воссоединение семьи", "Regroupement familial")),
    ("children_at_risk", _t("Children and adolescents at risk", "Дети и подростки в группе риска",
                            "Enfants et adolescent·e·s en situation de risque")),
    ("no_durable_solution", _t("Lack of foreseeable alternative durable solutions",
                               "Отсутствие иных долгосрочных решений",
                               "Absence d’autres solutions durables prévisibles")),
]
PRIORITIES = [
    ("emergency", _t("Emergency: removal within days", "Экстренный: вывоз в течение нескольких дней",
                     "Urgence absolue : départ sous quelques jours")),
    ("urgent", _t("Urgent: removal within weeks", "Срочный: вывоз в течение нескольких недель",
                  "Urgent : départ sous quelques semaines")),
    ("normal", _t("Normal", "Обычный", "Normal")),
]
RELATIONSHIPS = [
    ("partner", _t("Partner or spouse", "Партнёр или супруг(а)", "Partenaire ou conjoint·e")),
    ("child", _t("Child", "Ребёнок", "Enfant")),
    ("parent", _t("Parent", "Родитель", "Parent")),
    ("sibling", _t("Sibling", "Брат или сестра", "Frère ou sœur")),
    ("other", _t("Other dependant", "Другой иждивенец", "Autre personne à charge")),
]

# --- decisions ----------------------------------------------------------------------------------
OUTCOMES = [
    ("approved", _t("Approved", "Одобрено", "Approuvé")),
    ("denied", _t("Denied", "Отказано", "Refusé")),
    ("more_info", _t("More information requested", "Запрошена дополнительная информация",
                     "Informations complémentaires demandées")),
]
# Why a referral was denied, in the clear so denials can be counted; the words stay sealed.
REASON_CODES = [
    ("no_reason_given", _t("No reason given", "Причина не указана", "Aucun motif donné")),
    ("security_screening", _t("Security screening", "Проверка безопасности", "Contrôle de sécurité")),
    ("credibility", _t("Credibility of the account", "Достоверность рассказа", "Crédibilité du récit")),
    ("insufficient_evidence", _t("Insufficient evidence", "Недостаточно доказательств", "Preuves insuffisantes")),
    ("not_eligible", _t("Not eligible for the programme", "Не подходит под программу",
                        "Non éligible au programme")),
    ("outside_country", _t("Not outside the country of origin", "Не находится за пределами страны происхождения",
                           "Ne se trouve pas hors du pays d’origine")),
    ("documents", _t("Documents missing or invalid", "Документы отсутствуют или недействительны",
                     "Documents manquants ou invalides")),
    ("quota", _t("Quota or capacity reached", "Квота исчерпана", "Quota ou capacité atteints")),
    ("policy", _t("Government policy", "Политика правительства", "Politique gouvernementale")),
    ("other", _t("Other", "Другое", "Autre")),
]

# Receiving countries by ISO 3166-1 alpha-2 code: those of the shipped programmes and others that run
# resettlement or humanitarian visa programmes. A code not here shows as the code itself.
COUNTRIES = {
    "CA": _t("Canada", "Канада", "Canada"),
    "FR": _t("France", "Франция", "France"),
    "DE": _t("Germany", "Германия", "Allemagne"),
    "US": _t("United States", "США", "États-Unis"),
    "LT": _t("Lithuania", "Литва", "Lituanie"),
    "NL": _t("Netherlands", "Нидерланды", "Pays-Bas"),
    "SE": _t("Sweden", "Швеция", "Suède"),
    "AR": _t("Argentina", "Аргентина", "Argentine"),
    "AT": _t("Austria", "Австрия", "Autriche"),
    "AU": _t("Australia", "Австралия", "Australie"),
    "BE": _t("Belgium", "Бельгия", "Belgique"),
    "BR": _t("Brazil", "Бразилия", "Brésil"),
    "CH": _t("Switzerland", "Швейцария", "Suisse"),
    "CZ": _t("Czechia", "Чехия", "Tchéquie"),
    "DK": _t("Denmark", "Дания", "Danemark"),
    "EE": _t("Estonia", "Эстония", "Estonie"),
    "ES": _t("Spain", "Испания", "Espagne"),
    "FI": _t("Finland", "Финляндия", "Finlande"),
    "GB": _t("United Kingdom", "Великобритания", "Royaume-Uni"),
    "IE": _t("Ireland", "Ирландия", "Irlande"),
    "IS": _t("Iceland", "Исландия", "Islande"),
    "IT": _t("Italy", "Италия", "Italie"),
    "LU": _t("Luxembourg", "Люксембург", "Luxembourg"),
    "LV": _t("Latvia", "Латвия", "Lettonie"),
    "NO": _t("Norway", "Норвегия", "Norvège"),
    "NZ": _t("New Zealand", "Новая Зеландия", "Nouvelle-Zélande"),
    "PL": _t("Poland", "Польша", "Pologne"),
    "PT": _t("Portugal", "Португалия", "Portugal"),
}


def country_label(code: str, lang: str | None = None) -> str:
    labels = COUNTRIES.get(code)
    return label(labels, lang) if labels else code


def choices(vocabulary, lang: str | None = None) -> list[tuple[str, str]]:
    return [(code, label(labels, lang)) for code, labels in vocabulary]


def choice_label(vocabulary, code: str, lang: str | None = None) -> str:
    return next((label(labels, lang) for c, labels in vocabulary if c == code), code)


def field_label(code: str, lang: str | None = None) -> str:
    spec = FIELDS.get(code)
    return label(spec[0], lang) if spec else code


# --- programmes shipped as examples (loaded by a data migration; organisations edit them) ----------
_BASE = ["full_name", "date_of_birth", "gender", "nationality", "languages", "current_location",
         "persecution_summary", "risk_summary"]
SHIPPED_PROGRAMMES = [
    {
        "code": "ca-gar", "country": "CA", "uses_rrf": True,
        "labels": _t("Canada: Government-Assisted Refugees (GAR)",
                     "Канада: беженцы при поддержке государства (GAR)",
                     "Canada : réfugiés pris en charge par le gouvernement (RPG)"),
        "body": _t("Immigration, Refugees and Citizenship Canada (IRCC), on UNHCR referral",
                   "Министерство иммиграции, беженцев и гражданства Канады (IRCC), по направлению УВКБ ООН",
                   "Immigration, Réfugiés et Citoyenneté Canada (IRCC), sur recommandation du HCR"),
        "fields": _BASE + ["other_names", "travel_documents", "medical_needs", "family_in_country", "contact"],
    },
    {
        "code": "fr-humanitarian-visa", "country": "FR", "uses_rrf": False,
        "labels": _t("France: humanitarian visa (long-stay visa for asylum)",
                     "Франция: гуманитарная виза (долгосрочная виза для подачи на убежище)",
                     "France : visa humanitaire (visa long séjour au titre de l’asile)"),
        "body": _t("French consulate / Ministry of the Interior", "Консульство Франции / МВД Франции",
                   "Consulat de France / ministère de l’Intérieur"),
        "fields": ["full_name", "date_of_birth", "nationality", "travel_documents", "persecution_summary",
                   "family_in_country", "consulate", "contact"],
    },
    {
        "code": "de-humanitarian-admission", "country": "DE", "uses_rrf": False,
        "labels": _t("Germany: humanitarian admission (§ 22 Residence Act)",
                     "Германия: гуманитарный приём (§ 22 Закона о пребывании)",
                     "Allemagne : admission humanitaire (§ 22 loi sur le séjour)"),
        "body": _t("Federal Foreign Office and Federal Ministry of the Interior",
                   "Министерство иностранных дел и МВД Германии",
                   "Ministère fédéral des Affaires étrangères et ministère fédéral de l’Intérieur"),
        "fields": ["full_name", "date_of_birth", "gender", "nationality", "current_location", "travel_documents",
                   "persecution_summary", "risk_summary", "sponsor", "contact"],
    },
    {
        "code": "us-usrap", "country": "US", "uses_rrf": True,
        "labels": _t("United States: Refugee Admissions Program (USRAP)",
                     "США: программа приёма беженцев (USRAP)",
                     "États-Unis : programme d’admission des réfugiés (USRAP)"),
        "body": _t("U.S. Department of State (PRM) and USCIS", "Госдепартамент США (PRM) и USCIS",
                   "Département d’État des États-Unis (PRM) et USCIS"),
        "fields": _BASE + ["other_names", "travel_documents", "medical_needs", "family_in_country"],
    },
]
