"""Choices shared by the public form and the staff pages (labels translate in the reader's language)."""
from django.utils.translation import gettext_lazy as _

URGENCY_CHOICES = [
    ("now", _("I am in danger right now")),
    ("days", _("I need help within days")),
    ("weeks", _("I need help within weeks")),
    ("unsure", _("I am not sure")),
]
LANGUAGE_CHOICES = [("", "—"), ("ru", "Русский"), ("ce", "Нохчийн"), ("en", "English"), ("fr", "Français"),
                    ("other", _("Another language"))]
CONTACT_CHOICES = [("here", _("Only through this page")), ("other", _("Also in another way (write it below)"))]


def labels() -> dict:
    """Code → words, for turning a sealed request into a readable note."""
    return {code: str(label) for code, label in URGENCY_CHOICES + LANGUAGE_CHOICES if code}
