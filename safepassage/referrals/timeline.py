"""How referral lines read on the case timeline: the programme and what happened, never the packet."""
from django.utils.translation import gettext as _

from safepassage.cases.timeline import choice_label, register_event_kind

from . import vocabulary
from .models import Programme, Referral


def _programme(code: str) -> str:
    programme = Programme.objects.filter(code=code).first()
    return programme.label() if programme is not None else code


def _consent(detail: dict) -> str:
    text = (_("Consent recorded to share the packet with %(programme)s.") if detail.get("granted")
            else _("Consent to share the packet with %(programme)s withdrawn."))
    return text % {"programme": _programme(detail["programme"])}


def _referral(detail: dict) -> str:
    if detail.get("resubmission"):
        text = _("Referral to %(programme)s submitted again.")
    else:
        text = _("Referral to %(programme)s: %(status)s.")
    return text % {"programme": _programme(detail["programme"]),
                   "status": choice_label(Referral.STATUS_CHOICES, detail["status"]).lower()}


def _decision(detail: dict) -> str:
    text = _("Decision of %(programme)s: %(outcome)s.") % {
        "programme": _programme(detail["programme"]),
        "outcome": vocabulary.choice_label(vocabulary.OUTCOMES, detail["outcome"]).lower()}
    if detail.get("reason_code"):
        text += " " + vocabulary.choice_label(vocabulary.REASON_CODES, detail["reason_code"]) + "."
    return text


def connect() -> None:
    register_event_kind("referral_consent", _consent)
    register_event_kind("referral", _referral)
    register_event_kind("referral_decision", _decision)
