"""A testimony whose consent asks to keep it keeps its interviewee's cases from retention.

A person who agreed that their testimony go into the public report or to named bodies (prosecutors,
UN mechanisms) gave it to be used, possibly years later; shredding their case and person would cut
the testimony off from who gave it. So while such a consent stands, retention keeps every case of
that person; once both are withdrawn, the next retention run lets them go.
"""
from __future__ import annotations

from django.db.models import Q

from safepassage.vault import services as vault

from .models import Testimony


def keeps_case(case) -> bool:
    """True while a testimony of the case's organisation names the case's person as its interviewee
    and consents to the public report or to named bodies. Who gave a testimony is sealed, so this
    reads every such testimony's link under its key: retention asks only while the vault is unsealed."""
    consenting = list(Testimony.objects.filter(organisation_id=case.organisation_id)
                      .filter(Q(consent_public_report=True) | Q(consent_named_bodies=True))
                      .only("pk", "data_key_id", "interviewee_person_id"))
    if not consenting:
        return False
    vault.preload_data_keys(t.data_key_id for t in consenting)
    person = str(case.person_id)
    return any(t.interviewee_person_id == person for t in consenting)
