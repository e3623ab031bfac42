from django.conf import settings

from safepassage.policy.rules import can, membership
from safepassage.vault import services as vault


def safepassage(request):
    user = getattr(request, "user", None)
    member = membership(user)
    return {
        "demo_mode": settings.DEMO_MODE,
        "vault_unsealed": vault.is_unsealed(),
        "member": member,
        "nav": {
            "cases": can(user, "case.list"),
            "work": can(user, "task.list"),
            "pipeline": can(user, "case.pipeline"),
            "retention": can(user, "retention.view"),
            "checklist": can(user, "verification.manage"),
            "new_person": can(user, "person.create"),
            "members": can(user, "member.manage"),
            "seal": can(user, "vault.seal"),
            "testimonies": can(user, "testimony.list"),
            "reports": can(user, "report.view"),
            "matching": can(user, "match.review"),
            "safehouses": can(user, "safehouse.list"),
            "packets": can(user, "referral.inbox"),
            "journey_figures": can(user, "journey.figures"),
            "exposure": can(user, "exposure.list"),
            "sharing": can(user, "share.inbox") or can(user, "case.list"),
        } if member else {},
    }
