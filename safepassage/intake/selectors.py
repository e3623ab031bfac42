"""Reading the intake: the triage inbox and one request, each read audited.

Urgency is sealed with everything else the visitor typed, so the inbox opens pending requests to
sort them (most urgent, then newest); only the page shown is recorded as read.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404

from safepassage.audit.services import audit_record
from safepassage.policy.rules import can, intake_scope, membership, require
from safepassage.vault.errors import DecryptionFailed

from . import conf, spool
from .models import HelpRequest, IntakeKey, IntakeMessage
from .services import URGENCY_RANK, RequestPayload, message_text, open_for_staff

PAGE_SIZE = 50


@dataclass
class InboxRow:
    request: HelpRequest
    payload: RequestPayload | None
    followups: int = 0

    @property
    def urgency(self) -> str:
        return self.payload.urgency if self.payload else ""


@dataclass
class Inbox:
    page: Page
    status: str
    counts: dict = field(default_factory=dict)
    not_sorted: int = 0  # pending requests beyond the decrypt limit, listed by date only


def requests_visible(actor):
    return HelpRequest.objects.filter(intake_scope(actor))


def inbox(actor, *, status: str = "pending", page_number=1) -> Inbox:
    """Pending requests, most urgent then newest; or one triaged status, newest first."""
    require(actor, "intake.triage")
    spool.file_all()  # what visitors sent a moment ago is in the inbox too
    visible = requests_visible(actor)
    counts = {"pending": visible.filter(status__in=HelpRequest.PENDING).count()}
    for code, _label in HelpRequest.STATUS_CHOICES:
        if code not in HelpRequest.PENDING:
            counts[code] = visible.filter(status=code).count()
    key = IntakeKey.objects.filter(organisation_id=membership(actor).organisation_id).first()
    if status == "pending":
        rows = _pending_sorted(visible, key)
        not_sorted = max(0, counts["pending"] - conf.get("INTAKE_INBOX_DECRYPT_LIMIT"))
    else:
        status = status if status in counts else "pending"
        rows = [InboxRow(r, None) for r in visible.filter(status=status).defer("sealed_request").select_related(
            "case", "duplicate_of").order_by("-received_at")[:1000]]
        not_sorted = 0
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    if page.object_list and status == "pending":
        audit_record(actor=actor, action="intake.list", organisation=key.organisation_id if key else None,
                     requests=[str(r.request.pk) for r in page.object_list])
    return Inbox(page=page, status=status, counts=counts, not_sorted=not_sorted)


def _pending_sorted(visible, key: IntakeKey | None) -> list[InboxRow]:
    limit = conf.get("INTAKE_INBOX_DECRYPT_LIMIT")
    requests = list(visible.filter(status__in=HelpRequest.PENDING).order_by("-last_visitor_at", "-received_at")[:limit])
    followups: dict = {}
    listed = {r.pk for r in requests}
    # follow-ups on the request, and on requests marked duplicates of it that wait for its case
    for request_id, duplicate_of in IntakeMessage.objects.filter(
            Q(request__in=requests) | Q(request__duplicate_of__in=requests, request__case__isnull=True),
            sender=IntakeMessage.FROM_VISITOR).values_list("request_id", "request__duplicate_of"):
        counted = request_id if request_id in listed else duplicate_of
        followups[counted] = followups.get(counted, 0) + 1
    rows = []
    for request in requests:
        payload = None
        if key is not None and request.sealed_request is not None:
            try:
                payload = RequestPayload.from_bytes(open_for_staff(key, request.sealed_request))
            except (DecryptionFailed, ValueError):
                payload = None
        rows.append(InboxRow(request, payload, followups.get(request.pk, 0)))
    rows.sort(key=lambda r: (URGENCY_RANK.get(r.urgency, 3), -_ts(r.request.last_visitor_at)))
    return rows


def _ts(at: datetime) -> float:
    return at.timestamp()


def help_request_for(actor, request_id, *, action: str = "intake.view") -> HelpRequest:
    """The request if the actor may do `action`; the same 404 for missing and forbidden. Audited."""
    try:
        request_id = uuid.UUID(str(request_id))
    except ValueError:
        raise Http404() from None
    help_request = HelpRequest.objects.filter(pk=request_id).select_related("organisation", "case").first()
    if help_request is None or not can(actor, action, help_request):
        raise Http404()
    audit_record(actor=actor, action="intake.read" if action == "intake.view" else f"{action}.open",
                 target=help_request)
    return help_request


@dataclass
class StaffLine:
    sent_at: datetime
    from_visitor: bool
    text: str
    author: str = ""
    on_case: bool = False


def staff_thread(help_request: HelpRequest, payload: RequestPayload | None = None) -> list[StaffLine]:
    """The conversation as colleagues see it (decrypted: the caller has audited the read). The first
    line is the request itself (`payload`, opened by the caller), or a pointer to the case timeline."""
    key = IntakeKey.objects.get(organisation_id=help_request.organisation_id)
    lines = [StaffLine(sent_at=help_request.received_at, from_visitor=True, text=payload.what if payload else "",
                       on_case=help_request.sealed_request is None and help_request.case_id is not None)]
    for message in help_request.messages.select_related("author"):
        lines.append(StaffLine(
            sent_at=message.sent_at, from_visitor=message.sender == IntakeMessage.FROM_VISITOR,
            text=message_text(key, message), author=message.author.username if message.author else "",
            on_case=message.case_note_id is not None))
    return lines
