"""Words of the report itself (titles, measures, groups), in English, Russian and French, as data.

They travel with the figures they name, so a report renders in any of the three languages whether
or not the interface's translation catalogues are complete.
"""
from safepassage.testimonies.vocabulary import pick  # noqa: F401  (re-exported for the report modules)


def _t(en, ru, fr):
    return {"en": en, "ru": ru, "fr": fr}


TEXT = {
    "report_title": _t("Public report", "Публичный доклад", "Rapport public"),
    "all_years": _t("All years", "Все годы", "Toutes les années"),
    "period": _t("Period", "Период", "Période"),
    "generated": _t("Generated", "Составлен", "Établi le"),
    "threshold": _t("Cells with fewer than %(k)d contributors are suppressed (·), with further cells where needed "
                    "so that no suppressed figure can be worked out from totals or other reports.",
                    "Ячейки, за которыми стоит менее %(k)d человек, скрыты (·), как и другие ячейки там, где "
                    "иначе скрытое число можно было бы вычислить из итогов или других докладов.",
                    "Les cases reposant sur moins de %(k)d contributeurs sont masquées (·), ainsi que d’autres "
                    "cases lorsque c’est nécessaire pour qu’aucun chiffre masqué ne puisse être déduit des totaux "
                    "ou d’autres rapports."),
    "testimonies_based": _t("Based on %(n)s testimonies whose givers consented to an anonymised public report.",
                            "На основе %(n)s свидетельств, авторы которых согласились на анонимный публичный доклад.",
                            "Fondé sur %(n)s témoignages dont les auteurs ont consenti à un rapport public anonymisé."),
    "incidents_section": _t("Documented violations", "Задокументированные нарушения", "Violations documentées"),
    "programme_section": _t("The programme's own figures", "Показатели программы", "Chiffres du programme"),
    "total": _t("Total", "Итого", "Total"),
    "suppressed": _t("suppressed", "скрыто", "masqué"),
    "month_unknown": _t("%(year)s, month not known", "%(year)s, месяц неизвестен", "%(year)s, mois inconnu"),
    "category": _t("Category", "Категория", "Catégorie"),
}

TABLES = {
    "violation": (_t("Incidents by type of violation", "Инциденты по видам нарушений",
                     "Incidents par type de violation"), _t("Incidents", "Инциденты", "Incidents")),
    "perpetrator": (_t("Incidents by perpetrator", "Инциденты по исполнителям", "Incidents par auteur"),
                    _t("Incidents", "Инциденты", "Incidents")),
    "place": (_t("Incidents by place", "Инциденты по местам", "Incidents par lieu"),
              _t("Incidents", "Инциденты", "Incidents")),
    "month": (_t("Incidents by month", "Инциденты по месяцам", "Incidents par mois"),
              _t("Incidents", "Инциденты", "Incidents")),
    "stage": (_t("Help requests by stage reached", "Обращения по достигнутому этапу",
                 "Demandes d’aide par étape atteinte"), _t("Cases", "Дела", "Dossiers")),
    "gender": (_t("Help requests by gender", "Обращения по полу", "Demandes d’aide par genre"),
               _t("Cases", "Дела", "Dossiers")),
    # Tables the referrals app adds (by year of the first referral to the country; by year of the denial).
    "destination": (_t("Cases referred, by destination country", "Направленные дела по странам назначения",
                       "Dossiers transmis, par pays de destination"),
                    _t("Cases referred", "Направлено дел", "Dossiers transmis")),
    "denials": (_t("Denials by country", "Отказы по странам", "Refus par pays"),
                _t("Referrals denied", "Отклонённые направления", "Dossiers refusés")),
}

STAGE_GROUPS = {
    "requested": (_t("In screening", "На проверке", "En cours de vérification"), ("requested", "screening")),
    "not_taken_on": (_t("Not taken on (unreachable, duplicate, rejected)",
                        "Не приняты (нет связи, дубликат, отказ)",
                        "Non retenues (injoignable, doublon, rejetée)"),
                     ("rejected", "unreachable", "duplicate", "entrapment_suspected")),
    "verified": (_t("Verified, awaiting relocation", "Проверены, ожидают переезда",
                    "Vérifiées, en attente de relocalisation"),
                 ("verified", "sheltered", "referred", "approved", "denied")),
    "in_transit": (_t("Relocating", "В пути", "En cours de relocalisation"), ("in_transit",)),
    "arrived": (_t("Arrived", "Прибыли", "Arrivées"), ("arrived", "settling")),
    "closed": (_t("Closed", "Закрыты", "Clôturées"), ("closed",)),
}

GENDER_BUCKETS = {
    "woman": _t("Women", "Женщины", "Femmes"),
    "man": _t("Men", "Мужчины", "Hommes"),
    "another": _t("Another gender", "Другой гендер", "Autre genre"),
    "not_recorded": _t("Not recorded", "Не указан", "Non renseigné"),
}
# The sealed person.gender value -> its coarse bucket.
GENDER_TO_BUCKET = {"woman": "woman", "man": "man", "nonbinary": "another", "self": "another"}


def text(key: str, lang: str, **params) -> str:
    value = pick(TEXT[key], lang)
    return value % params if params else value
