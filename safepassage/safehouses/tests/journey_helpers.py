"""Building blocks for the journey tests: people with verified cases."""
from __future__ import annotations

from safepassage.cases.services import case_open, case_transition
from safepassage.people.services import PersonData, person_create


def pass_verification(actor, case) -> None:
    """Every required check of the organisation's verification checklist, recorded as passed."""
    try:
        from safepassage.verification.models import CheckResult
        from safepassage.verification.services import check_record, checklist_items
    except ImportError:  # no checklist: verification is the reasoned move alone
        return
    for item in checklist_items(case.organisation):
        if item.required:
            check_record(actor=actor, case=case, item=item, outcome=CheckResult.PASSED)


def verified_case(actor, organisation, *, name: str = "Ибрагимов Магомед", assignees=(), risk: str = "high"):
    """A case that went through screening and verification, as the workflow demands."""
    person = person_create(actor=actor, organisation=organisation, data=PersonData(full_name=name))
    case = case_open(actor=actor, person=person, summary="Задержан в 2017; семья угрожает.", risk_level=risk,
                     risk_reasons="Семья ищет его.", assignees=list(assignees))
    case_transition(actor=actor, case=case, to_status="screening")
    pass_verification(actor, case)
    case_transition(actor=actor, case=case, to_status="verified", reason="Identity checked by two contacts.")
    return case


def approved_case(actor, organisation, *, programme_code: str = "ca-gar", name: str = "Ибрагимов Магомед",
                  assignees=(), decided_on=None):
    """A verified case referred to a programme (with the person's consent) and approved there."""
    from django.utils import timezone

    from safepassage.referrals import services as referrals
    from safepassage.referrals.models import Programme

    case = verified_case(actor, organisation, name=name, assignees=assignees)
    programme = Programme.objects.get(code=programme_code)
    referrals.consent_record(actor=actor, case=case, programme=programme)
    referral = referrals.referral_create(actor=actor, case=case, programme=programme)
    referrals.referral_submit(actor=actor, referral=referral)
    referrals.referral_decide(actor=actor, referral=referral, outcome="approved",
                              decided_on=decided_on or timezone.localdate())
    case.refresh_from_db()
    return case
