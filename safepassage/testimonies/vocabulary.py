"""Controlled vocabularies shipped with safepassage, labelled in English, Russian and French.

They are data, not code: ``terms_sync`` loads them into ``Term`` (a migration does it once) and an
organisation adds its own terms beside them (``term_add``). Labels live here rather than in the
translation catalogues so a vocabulary and its three languages always travel together.
"""
from __future__ import annotations

from django.utils import translation

VIOLATION = "violation"
PERPETRATOR = "perpetrator"
PLACE = "place"
VOCABULARIES = (VIOLATION, PERPETRATOR, PLACE)
LANGUAGE_CODES = ("en", "ru", "fr")


def _t(en: str, ru: str, fr: str) -> dict[str, str]:
    return {"en": en, "ru": ru, "fr": fr}


SHIPPED: dict[str, list[tuple[str, dict[str, str], str]]] = {
    # (code, labels, parent code)
    VIOLATION: [
        ("arbitrary_detention", _t("Arbitrary detention", "Произвольное задержание", "Détention arbitraire"), ""),
        ("torture", _t("Torture or ill-treatment", "Пытки или жестокое обращение", "Torture ou mauvais traitements"), ""),
        ("killing", _t("Killing", "Убийство", "Meurtre"), ""),
        ("enforced_disappearance", _t("Enforced disappearance", "Насильственное исчезновение", "Disparition forcée"), ""),
        ("extortion", _t("Extortion", "Вымогательство", "Extorsion"), ""),
        ("forced_outing", _t("Forced outing to family", "Принудительный аутинг перед семьёй",
                             "Révélation forcée à la famille"), ""),
        ("honour_killing_threat", _t("Threat of “honour” killing", "Угроза «убийства чести»",
                                     "Menace de crime « d’honneur »"), ""),
        ("sexual_violence", _t("Sexual violence", "Сексуальное насилие", "Violences sexuelles"), ""),
        ("threats", _t("Threats and intimidation", "Угрозы и запугивание", "Menaces et intimidation"), ""),
        ("forced_confession", _t("Forced confession or naming others", "Принуждение к признанию или выдаче других",
                                 "Aveux forcés ou dénonciation d’autres personnes"), ""),
        ("document_seizure", _t("Seizure of documents or phone", "Изъятие документов или телефона",
                                "Saisie de documents ou du téléphone"), ""),
        ("other", _t("Other violation", "Другое нарушение", "Autre violation"), ""),
    ],
    PERPETRATOR: [
        ("police", _t("Police", "Полиция", "Police"), ""),
        ("security_forces", _t("Security forces", "Силовые структуры", "Forces de sécurité"), ""),
        ("officials", _t("Officials", "Должностные лица", "Fonctionnaires"), ""),
        ("family", _t("Family", "Семья", "Famille"), ""),
        ("community", _t("Neighbours or community", "Соседи или окружение", "Voisins ou entourage"), ""),
        ("religious_authority", _t("Religious authority", "Религиозные деятели", "Autorité religieuse"), ""),
        ("unknown", _t("Unknown", "Неизвестно", "Inconnu"), ""),
        ("other", _t("Other perpetrator", "Другой исполнитель", "Autre auteur"), ""),
    ],
    # Places are settlements or regions, never streets: a finer place goes in the sealed detail.
    PLACE: [
        ("grozny", _t("Grozny", "Грозный", "Grozny"), "chechnya"),
        ("argun", _t("Argun", "Аргун", "Argoun"), "chechnya"),
        ("gudermes", _t("Gudermes", "Гудермес", "Goudermes"), "chechnya"),
        ("shali", _t("Shali", "Шали", "Chali"), "chechnya"),
        ("urus_martan", _t("Urus-Martan", "Урус-Мартан", "Ourous-Martan"), "chechnya"),
        ("kurchaloy", _t("Kurchaloy", "Курчалой", "Kourtchaloï"), "chechnya"),
        ("tsotsin_yurt", _t("Tsotsin-Yurt", "Цоцин-Юрт", "Tsotsin-Iourt"), "chechnya"),
        ("achkhoy_martan", _t("Achkhoy-Martan", "Ачхой-Мартан", "Atchkhoï-Martan"), "chechnya"),
        ("naurskaya", _t("Naurskaya", "Наурская", "Naourskaïa"), "chechnya"),
        ("vedeno", _t("Vedeno", "Ведено", "Vedeno"), "chechnya"),
        ("nozhay_yurt", _t("Nozhay-Yurt", "Ножай-Юрт", "Nojaï-Iourt"), "chechnya"),
        ("shatoy", _t("Shatoy", "Шатой", "Chatoï"), "chechnya"),
        ("chechnya_other", _t("Elsewhere in Chechnya", "Другое место в Чечне", "Ailleurs en Tchétchénie"), "chechnya"),
        ("nazran", _t("Nazran", "Назрань", "Nazran"), "ingushetia"),
        ("ingushetia_other", _t("Elsewhere in Ingushetia", "Другое место в Ингушетии", "Ailleurs en Ingouchie"),
         "ingushetia"),
        ("makhachkala", _t("Makhachkala", "Махачкала", "Makhatchkala"), "dagestan"),
        ("dagestan_other", _t("Elsewhere in Dagestan", "Другое место в Дагестане", "Ailleurs au Daghestan"),
         "dagestan"),
        ("moscow", _t("Moscow", "Москва", "Moscou"), "moscow"),
        ("saint_petersburg", _t("Saint Petersburg", "Санкт-Петербург", "Saint-Pétersbourg"), "saint_petersburg"),
        ("russia_other", _t("Elsewhere in Russia", "Другое место в России", "Ailleurs en Russie"), "russia_other"),
        ("abroad", _t("Outside Russia", "За пределами России", "Hors de Russie"), "abroad"),
        ("unknown", _t("Place not known", "Место неизвестно", "Lieu inconnu"), "unknown"),
    ],
}

REGIONS: dict[str, dict[str, str]] = {
    "chechnya": _t("Chechnya", "Чечня", "Tchétchénie"),
    "ingushetia": _t("Ingushetia", "Ингушетия", "Ingouchie"),
    "dagestan": _t("Dagestan", "Дагестан", "Daghestan"),
    "moscow": _t("Moscow", "Москва", "Moscou"),
    "saint_petersburg": _t("Saint Petersburg", "Санкт-Петербург", "Saint-Pétersbourg"),
    "russia_other": _t("Elsewhere in Russia", "Другие регионы России", "Ailleurs en Russie"),
    "abroad": _t("Outside Russia", "За пределами России", "Hors de Russie"),
    "unknown": _t("Not known", "Неизвестно", "Inconnu"),
}

# Small fixed vocabularies: not extensible, but labelled here in the same three languages.
DATE_PRECISIONS: dict[str, dict[str, str]] = {
    "day": _t("Exact day", "Точная дата", "Jour exact"),
    "month": _t("Month", "Месяц", "Mois"),
    "year": _t("Year only", "Только год", "Année seulement"),
}

CONSENT_USES: dict[str, dict[str, str]] = {
    "internal": _t("Internal use only", "Только для внутреннего использования", "Usage interne uniquement"),
    "public_report": _t("Anonymised public report", "Анонимизированный публичный доклад",
                        "Rapport public anonymisé"),
    "named_bodies": _t("Shared with named bodies (prosecutors, UN mechanisms)",
                       "Передача названным органам (прокуратура, механизмы ООН)",
                       "Transmis à des instances nommées (procureurs, mécanismes de l’ONU)"),
}

INTERVIEW_LANGUAGES: dict[str, dict[str, str]] = {
    "ru": _t("Russian", "Русский", "Russe"),
    "ce": _t("Chechen", "Чеченский", "Tchétchène"),
    "inh": _t("Ingush", "Ингушский", "Ingouche"),
    "en": _t("English", "Английский", "Anglais"),
    "fr": _t("French", "Французский", "Français"),
    "other": _t("Another language", "Другой язык", "Autre langue"),
}

ATTACHMENT_KINDS: dict[str, dict[str, str]] = {
    "audio": _t("Audio recording", "Аудиозапись", "Enregistrement audio"),
    "photo": _t("Photograph", "Фотография", "Photographie"),
    "document": _t("Document", "Документ", "Document"),
}


def language() -> str:
    """The active language reduced to one we label in ("ru-RU" -> "ru"), English otherwise."""
    code = (translation.get_language() or "en").split("-")[0]
    return code if code in LANGUAGE_CODES else "en"


def pick(labels: dict[str, str], lang: str | None = None) -> str:
    """The label in `lang` (default: the active language), falling back to English, then any."""
    lang = lang or language()
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), "")


def choices(table: dict[str, dict[str, str]], lang: str | None = None) -> list[tuple[str, str]]:
    return [(code, pick(labels, lang)) for code, labels in table.items()]
