"""The journey of a case as data: which moves exist, who may make them, what each needs and starts.

Threat: a coerced or careless staff member moving someone into a safe house, or closing their case,
alone and without a trace. Every move is one row of ``TRANSITIONS``: the roles allowed, the fields
it needs, whether a reason is required, whether a second person must confirm it (four-eyes), and
the tasks it starts. ``services.case_transition`` is the only code that applies a move; it audits
it and puts it on the timeline.

Other apps take part without this app importing them. In their ``AppConfig.ready()``:

- ``register_guard(to_status, fn)``: ``fn(case, data) -> list[str]`` of translated errors; any
  error refuses the move. With ``confirmable=True`` the errors do not refuse it: they turn the move
  into one a second person must confirm, and are shown to that person as warnings (e.g. open plan
  items when closing). Guards run again when a pending move is confirmed.
- ``register_effect(to_status, fn)``: ``fn(*, actor, case, data)`` runs inside the transaction once
  the move is applied (for a four-eyes move: when it is confirmed, ``actor`` being the confirmer). An
  effect may raise ``TransitionNotAllowed``: the whole move is then undone.
- ``register_field(to_status, name, label=..., choices=...)``: one more required field of every move
  to that status, shown on the "Move to…" form (``choices`` may be a callable ``(case) -> [(value,
  label)]``, e.g. the safe houses with room).

Guards, effects and messages never carry person data: errors are shown on the page and flashed.

The requester-visible rule: until a case is verified, nothing sensitive (a safe-house address, a
staff name, a route) may be attached to anything the requester can see. Apps that would attach such
a detail call ``require_verified(case)`` first; it raises ``NotVerified``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safepassage.policy import roles as R
from safepassage.tasks.kinds import register_task_kind


class TransitionNotAllowed(Exception):
    """A move the workflow refuses: illegal, missing a field or a reason, or not the actor's to make.

    ``message`` is translated and safe to show (it names stages and fields, never a person)."""

    def __init__(self, message, *, errors=None):
        self.message = str(message)
        self.errors = [str(e) for e in (errors or [message])]
        super().__init__(self.message)


class NotVerified(Exception):
    """Something sensitive was about to be attached to a case that is not verified yet."""


# --- stages -------------------------------------------------------------------------------------

JOURNEY = ["requested", "screening", "verified", "sheltered", "referred", "approved", "denied",
           "in_transit", "arrived", "settling", "closed"]
OUTCOMES = ["rejected", "unreachable", "duplicate", "entrapment_suspected"]
# Stages a case never leaves on the journey (retention counts from the moment it entered one).
ENDED = {"closed", "rejected", "unreachable", "duplicate", "entrapment_suspected"}
# Stages reached only through verification: sensitive details may be released to these cases.
VERIFIED = {"verified", "sheltered", "referred", "approved", "denied", "in_transit", "arrived", "settling",
            "closed"}


def status_label(status: str) -> str:
    from .models import Case

    return str(dict(Case.STATUS_CHOICES).get(status, status))


def case_is_verified(case) -> bool:
    """True once the case passed verification (its stage is verified or any later stage). No case
    (a help request still in triage) is not verified."""
    return case is not None and case.status in VERIFIED


def require_verified(case) -> None:
    """Raise ``NotVerified`` unless the case is verified.

    Call it before attaching a safe-house address, a staff name or a route to anything the requester
    can see (an intake reply, a travel message, a shelter offer).
    """
    if not case_is_verified(case):
        raise NotVerified(gettext("This case is not verified yet: nothing sensitive can be shared with the requester."))


# --- fields a move may need ---------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    name: str
    label: object
    help_text: object = ""
    choices: object = None  # None (free text), a list of (value, label), or a callable (case) -> list
    clear: bool = False  # a category, kept in the clear on the timeline so it can be counted

    def choices_for(self, case) -> list | None:
        if self.choices is None:
            return None
        return list(self.choices(case) if callable(self.choices) else self.choices)


DENIAL_GROUNDS = [
    ("documents", _("Missing or doubted documents")),
    ("evidence", _("Persecution not accepted as shown")),
    ("security", _("Security or background check")),
    ("quota", _("Quota or programme full")),
    ("eligibility", _("Outside the programme's criteria")),
    ("no_reason", _("No reason given")),
    ("other", _("Other")),
]
CLOSING_OUTCOMES = [
    ("settled", _("Settled: support plan complete")),
    ("moved_on", _("Moved on: no longer needs support")),
    ("withdrew", _("Withdrew from the programme")),
    ("lost_contact", _("Lost contact after arrival")),
    ("other", _("Other")),
]

FIELDS: dict[str, Field] = {
    "duplicate_of": Field("duplicate_of", _("Reference of the case it duplicates"),
                          _("The case that stays open, e.g. C-2026-00042.")),
    "denial_ground": Field("denial_ground", _("Ground of the denial"), choices=DENIAL_GROUNDS, clear=True),
    "outcome": Field("outcome", _("Outcome"), choices=CLOSING_OUTCOMES, clear=True),
}


# --- tasks a move starts ------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskTemplate:
    kind: str
    label: object
    due_hours: int | None = None
    urgent: bool = False


def _task(kind: str, label, due_hours=None, urgent=False) -> TaskTemplate:
    register_task_kind(kind, label)
    return TaskTemplate(kind, label, due_hours, urgent)


VERIFY_IDENTITY = _task("verify_identity", _("Verify identity"), 48, urgent=True)
SAFE_CHANNEL = _task("safe_channel", _("Agree a safe contact channel"), 24, urgent=True)
ASSESS_SHELTER = _task("assess_shelter", _("Decide whether a safe house is needed"), 72)
PREPARE_REFERRAL = _task("prepare_referral", _("Prepare the referral"), 14 * 24)
FOLLOW_UP_REFERRAL = _task("follow_up_referral", _("Follow up the referral decision"), 30 * 24)
PLAN_TRAVEL = _task("plan_travel", _("Plan the travel"), 7 * 24, urgent=True)
RE_REFER = _task("re_refer", _("Find another programme to refer to"), 14 * 24)
TRAVEL_CHECK_IN = _task("travel_check_in", _("Check in with the traveller"), 24, urgent=True)
SETTLEMENT_PLAN = _task("settlement_plan", _("Agree a settlement plan"), 7 * 24)
EXPOSURE_REVIEW = _task("exposure_review", _("Review what the requester may have learned"), 24, urgent=True)
RECONTACT = _task("recontact", _("Try to reach the person again"), 7 * 24)


# --- the moves ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset
    required: tuple = ()
    reason_required: bool = True
    four_eyes: bool = False
    tasks: tuple = ()

    @property
    def key(self) -> str:
        return f"{self.source}->{self.target}"

    def label(self) -> str:
        return status_label(self.target)

    def required_fields(self) -> list[Field]:
        """The table's fields, then those registered by other apps."""
        names = list(self.required) + [f.name for f in _fields[self.target] if f.name not in self.required]
        return [_field(name, self.target) for name in names]


def _t(source, target, roles, *, required=(), reason=True, four_eyes=False, tasks=()) -> Transition:
    return Transition(source, target, frozenset(roles) | {R.COORDINATOR}, tuple(required), reason, four_eyes,
                      tuple(tasks))


_FRONT = {R.INTAKE, R.CASEWORKER}
_WORK = {R.CASEWORKER}

TRANSITIONS: list[Transition] = [
    # screening: a help request is being vetted
    _t("requested", "screening", _FRONT, reason=False, tasks=[VERIFY_IDENTITY, SAFE_CHANNEL]),
    _t("screening", "verified", _WORK, tasks=[ASSESS_SHELTER]),
    # outcomes of screening
    *[_t(source, "rejected", _FRONT) for source in ("requested", "screening")],
    *[_t(source, "unreachable", _FRONT, tasks=[RECONTACT]) for source in ("requested", "screening")],
    *[_t(source, "duplicate", _FRONT, required=["duplicate_of"]) for source in ("requested", "screening")],
    *[_t(source, "entrapment_suspected", _FRONT, tasks=[EXPOSURE_REVIEW]) for source in ("requested", "screening")],
    _t("unreachable", "screening", _FRONT, tasks=[VERIFY_IDENTITY, SAFE_CHANNEL]),
    # a safe house (four-eyes: an address is about to be revealed), or straight to a referral
    _t("verified", "sheltered", _WORK | {R.SAFEHOUSE}, four_eyes=True, tasks=[PREPARE_REFERRAL]),
    _t("verified", "referred", _WORK, reason=False, tasks=[FOLLOW_UP_REFERRAL]),
    _t("sheltered", "referred", _WORK, reason=False, tasks=[FOLLOW_UP_REFERRAL]),
    # the receiving programme decides
    _t("referred", "approved", _WORK | {R.LIAISON}, reason=False, tasks=[PLAN_TRAVEL]),
    _t("referred", "denied", _WORK | {R.LIAISON}, required=["denial_ground"], tasks=[RE_REFER]),
    _t("denied", "referred", _WORK, tasks=[FOLLOW_UP_REFERRAL]),
    # travel and arrival
    _t("approved", "in_transit", _WORK | {R.TRAVEL}, reason=False, tasks=[TRAVEL_CHECK_IN]),
    _t("in_transit", "arrived", _WORK | {R.TRAVEL, R.SETTLEMENT}, reason=False, tasks=[SETTLEMENT_PLAN]),
    _t("arrived", "settling", _WORK | {R.SETTLEMENT}, reason=False),
    # closing (four-eyes: it starts the retention clock)
    _t("settling", "closed", _WORK | {R.SETTLEMENT}, required=["outcome"], four_eyes=True),
]

_BY_KEY = {t.key: t for t in TRANSITIONS}


def transition(source: str, target: str) -> Transition | None:
    return _BY_KEY.get(f"{source}->{target}")


def transitions_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]


def tasks_on_entering(status: str) -> tuple:
    """Tasks for a case opened directly in `status` (e.g. intake opens cases in screening)."""
    t = transition("requested", status)
    return t.tasks if t else ()


# --- hooks other apps register ------------------------------------------------------------------

@dataclass(frozen=True)
class _Guard:
    fn: Callable
    confirmable: bool


_guards: dict[str, list[_Guard]] = defaultdict(list)
_effects: dict[str, list[Callable]] = defaultdict(list)
_fields: dict[str, list[Field]] = defaultdict(list)


def register_guard(to_status: str, fn: Callable, *, confirmable: bool = False) -> None:
    """``fn(case, data) -> list[str]`` runs before every move to `to_status` (see the module docstring)."""
    if not any(g.fn is fn for g in _guards[to_status]):
        _guards[to_status].append(_Guard(fn, confirmable))


def register_effect(to_status: str, fn: Callable) -> None:
    """``fn(*, actor, case, data)`` runs in the transaction after a move to `to_status` is applied."""
    if fn not in _effects[to_status]:
        _effects[to_status].append(fn)


def register_field(to_status: str, name: str, *, label, choices=None, help_text="", clear: bool = False) -> None:
    """One more required field of every move to `to_status`."""
    if not any(f.name == name for f in _fields[to_status]):
        _fields[to_status].append(Field(name, label, help_text, choices, clear))


def _field(name: str, target: str) -> Field:
    for f in _fields[target]:
        if f.name == name:
            return f
    return FIELDS.get(name) or Field(name, name)


@dataclass
class GuardOutcome:
    errors: list = field(default_factory=list)  # refuse the move
    warnings: list = field(default_factory=list)  # a second person must confirm, having read these


def run_guards(t: Transition, case, data: dict) -> GuardOutcome:
    outcome = GuardOutcome()
    for guard in list(_guards[t.target]):
        messages = [str(m) for m in (guard.fn(case, data) or [])]
        (outcome.warnings if guard.confirmable else outcome.errors).extend(messages)
    return outcome


def run_effects(t: Transition, *, actor, case, data: dict) -> None:
    for effect in list(_effects[t.target]):
        effect(actor=actor, case=case, data=data)


def clean_data(t: Transition, case, data: dict | None) -> dict:
    """The move's fields, stripped and checked; raises TransitionNotAllowed naming what is missing."""
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in (data or {}).items()}
    missing, invalid = [], []
    for f in t.required_fields():
        value = data.get(f.name)
        if value in (None, "", [], {}):
            missing.append(str(f.label))
            continue
        choices = f.choices_for(case)
        if choices is not None and str(value) not in {str(v) for v, _label in choices}:
            invalid.append(str(f.label))
    if missing:
        raise TransitionNotAllowed(
            gettext("To move this case to %(to)s, fill in: %(fields)s.")
            % {"to": t.label(), "fields": ", ".join(missing)})
    if invalid:
        raise TransitionNotAllowed(
            gettext("Choose one of the offered values for: %(fields)s.") % {"fields": ", ".join(invalid)})
    return data


def clear_values(t: Transition, data: dict) -> dict:
    """The categories of a move (a denial ground, a closing outcome) kept in the clear for counting."""
    return {f.name: data[f.name] for f in t.required_fields() if f.clear and f.name in data}
