"""The REST API: people, cases, moves, tasks, referral packets, reports and shares received.

Thin like the pages, and through the same functions: records come from the selectors (audited, one
404 for missing and forbidden), changes go through the services, and every rule is asked of
``safepassage.policy`` — nothing here decides who may do what. Lists are paged and each page is one
audit event naming its records (they count towards the bulk-view alarm).
"""
from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from safepassage.audit.services import audit_record
from safepassage.cases import selectors as case_selectors
from safepassage.cases.services import case_open, case_transition
from safepassage.people import selectors as people_selectors
from safepassage.people.services import PersonData, person_create, person_data, person_update
from safepassage.policy.rules import membership, require
from safepassage.sharing import selectors as share_selectors
from safepassage.sharing.services import share_values
from safepassage.tasks.selectors import task_for, tasks_for_user
from safepassage.tasks.services import task_complete
from safepassage.vault import services as vault

from . import serializers as S


def _errors(*codes) -> dict:
    described = {400: "The request is not valid (field errors under `errors`).",
                 401: "No token, or a token that is not valid (revoked, expired, its member gone).",
                 403: "The member's roles do not allow this.",
                 404: "No such record, or not one the member may reach (the same answer).",
                 409: "Not possible in the record's current state (the reason is in `detail`).",
                 429: "Paused by the bulk-view alarm.",
                 503: "The vault is sealed."}
    return {code: OpenApiResponse(S.ErrorSerializer, description=described[code]) for code in codes}


_ALWAYS = (401, 403, 429, 503)


def _path(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _page(rows, number):
    paginator = Paginator(rows, settings.PAGE_SIZE)
    return paginator.get_page(number)


def _envelope(page, results) -> dict:
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "results": results}


class ApiView(APIView):
    """Every endpoint: an unsealed vault, an active member, the bulk-view alarm (see settings)."""


# --- people -------------------------------------------------------------------------------------

def _person_data(values: dict, base: PersonData | None = None) -> PersonData:
    data = base or PersonData()
    for name, value in values.items():
        if name == "messengers":
            value = [dict(m) for m in value]
        setattr(data, name, value)
    return data


class PeopleView(ApiView):
    @extend_schema(operation_id="people_list", summary="People the member may see, one page",
                   parameters=[S.PageQuerySerializer], responses={200: S.PersonPageSerializer, **_errors(400, *_ALWAYS)})
    def get(self, request):
        require(request.user, "person.list")
        number = _query(S.PageQuerySerializer, request)["page"]
        page = _page(people_selectors.people_visible(request.user).order_by("-created_at", "reference"), number)
        rows = list(page.object_list)
        vault.preload_data_keys([p.data_key_id for p in rows])
        if rows:
            audit_record(actor=request.user, action="person.list", organisation=membership(request.user).organisation,
                         people=[str(p.pk) for p in rows])
        return Response(_envelope(page, S.PersonSerializer(rows, many=True).data))

    @extend_schema(operation_id="people_create", summary="Record a person",
                   request=S.PersonSerializer, responses={201: S.PersonSerializer, **_errors(400, *_ALWAYS)})
    def post(self, request):
        body = S.PersonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = person_create(actor=request.user, organisation=membership(request.user).organisation,
                               data=_person_data(body.validated_data))
        return Response(S.PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonView(ApiView):
    @extend_schema(operation_id="people_read", summary="One person (audited)",
                   parameters=[_path("person_id", "The person's id")],
                   responses={200: S.PersonSerializer, **_errors(404, *_ALWAYS)})
    def get(self, request, person_id):
        person = people_selectors.person_for(request.user, person_id)
        return Response(S.PersonSerializer(person).data)

    @extend_schema(operation_id="people_update", summary="Change a person's fields (only those sent)",
                   parameters=[_path("person_id", "The person's id")], request=S.PersonSerializer,
                   responses={200: S.PersonSerializer, **_errors(400, 404, *_ALWAYS)})
    def patch(self, request, person_id):
        person = people_selectors.person_for(request.user, person_id, action="person.edit")
        body = S.PersonSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        person_update(actor=request.user, person=person,
                      data=_person_data(body.validated_data, base=person_data(person)))
        return Response(S.PersonSerializer(person).data)


# --- cases --------------------------------------------------------------------------------------

class CasesView(ApiView):
    @extend_schema(operation_id="cases_list", summary="Cases the member may see, one page, critical first",
                   parameters=[S.CaseQuerySerializer], responses={200: S.CasePageSerializer, **_errors(400, *_ALWAYS)})
    def get(self, request):
        require(request.user, "case.list")
        query = _query(S.CaseQuerySerializer, request)
        filters = case_selectors.CaseFilters(status=query.get("status", ""), risk=query.get("risk", ""))
        page = case_selectors.case_page(request.user, filters, query["page"])
        return Response(_envelope(page, S.CaseSerializer(page.object_list, many=True).data))

    @extend_schema(operation_id="cases_open", summary="Open a case for a person",
                   request=S.CaseOpenSerializer, responses={201: S.CaseSerializer, **_errors(400, 404, *_ALWAYS)})
    def post(self, request):
        require(request.user, "case.create")
        body = S.CaseOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        person = people_selectors.person_for(request.user, values["person"])
        case = case_open(actor=request.user, person=person, summary=values["summary"],
                         risk_level=values["risk_level"], risk_reasons=values["risk_reasons"])
        return Response(S.CaseSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseView(ApiView):
    @extend_schema(operation_id="cases_read", summary="One case (audited)", parameters=[_path("case_id", "The case's id")],
                   responses={200: S.CaseSerializer, **_errors(404, *_ALWAYS)})
    def get(self, request, case_id):
        return Response(S.CaseSerializer(case_selectors.case_for(request.user, case_id)).data)


class CaseTransitionsView(ApiView):
    @extend_schema(operation_id="cases_transitions_list", summary="The case's moves, oldest first",
                   parameters=[_path("case_id", "The case's id")],
                   responses={200: S.TransitionSerializer(many=True), **_errors(404, *_ALWAYS)})
    def get(self, request, case_id):
        case = case_selectors.case_for(request.user, case_id)
        moves = case.transitions.select_related("requested_by", "decided_by").order_by("requested_at")
        return Response(S.TransitionSerializer(moves, many=True).data)

    @extend_schema(operation_id="cases_transitions_create",
                   summary="Move the case (or ask a second person to confirm the move)",
                   parameters=[_path("case_id", "The case's id")], request=S.TransitionRequestSerializer,
                   responses={201: S.TransitionSerializer, **_errors(400, 404, 409, *_ALWAYS)})
    def post(self, request, case_id):
        case = case_selectors.case_for(request.user, case_id, action="case.transition")
        body = S.TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        move = case_transition(actor=request.user, case=case, to_status=values["to_status"],
                               reason=values["reason"], data=dict(values["data"]))
        return Response(S.TransitionSerializer(move).data, status=status.HTTP_201_CREATED)


class CaseReferralsView(ApiView):
    @extend_schema(operation_id="cases_referrals_list", summary="The case's resettlement referrals",
                   parameters=[_path("case_id", "The case's id")],
                   responses={200: S.ReferralSummarySerializer(many=True), **_errors(404, *_ALWAYS)})
    def get(self, request, case_id):
        from safepassage.referrals.selectors import referrals_of

        case = case_selectors.case_for(request.user, case_id, action="referral.view")
        return Response(S.ReferralSummarySerializer(referrals_of(case), many=True).data)


# --- tasks --------------------------------------------------------------------------------------

class TasksView(ApiView):
    @extend_schema(operation_id="tasks_list", summary="The member's open tasks, most urgent first",
                   responses={200: S.TaskSerializer(many=True), **_errors(*_ALWAYS)})
    def get(self, request):
        require(request.user, "task.list")
        return Response(S.TaskSerializer(tasks_for_user(request.user), many=True).data)


class TaskCompleteView(ApiView):
    @extend_schema(operation_id="tasks_complete", summary="Mark a task done", request=None,
                   parameters=[_path("task_id", "The task's id")],
                   responses={200: S.TaskSerializer, **_errors(404, *_ALWAYS)})
    def post(self, request, task_id):
        task = task_complete(actor=request.user, task=task_for(request.user, task_id))
        return Response(S.TaskSerializer(task).data)


# --- referral packets (the government liaison) --------------------------------------------------

def _packet(referral) -> dict:
    from safepassage.referrals.selectors import packet_copy

    copy = packet_copy(referral)
    return {**S.ReferralSummarySerializer(referral).data,
            "values": [{"code": code, "label": str(label), "value": value if isinstance(value, str) else str(value)}
                       for code, label, value in copy["fields"]],
            "decisions": S.DecisionSerializer(referral.decisions.all(), many=True).data}


class PacketsView(ApiView):
    @extend_schema(operation_id="referrals_packets_list",
                   summary="Referral packets addressed to the liaison's programmes",
                   responses={200: S.ReferralSummarySerializer(many=True), **_errors(*_ALWAYS)})
    def get(self, request):
        from safepassage.referrals.selectors import inbox

        require(request.user, "referral.inbox")
        return Response(S.ReferralSummarySerializer(inbox(request.user), many=True).data)


class PacketView(ApiView):
    @extend_schema(operation_id="referrals_packets_read", summary="One packet (audited)",
                   parameters=[_path("referral_id", "The referral's id")],
                   responses={200: S.PacketSerializer, **_errors(404, *_ALWAYS)})
    def get(self, request, referral_id):
        from safepassage.referrals.selectors import referral_for

        return Response(_packet(referral_for(request.user, referral_id, action="packet.view")))


class PacketDecisionView(ApiView):
    @extend_schema(operation_id="referrals_packets_decide", summary="Record the programme's decision on a packet",
                   parameters=[_path("referral_id", "The referral's id")], request=S.DecisionRequestSerializer,
                   responses={201: S.PacketSerializer, **_errors(400, 404, 409, *_ALWAYS)})
    def post(self, request, referral_id):
        from safepassage.referrals.selectors import referral_for
        from safepassage.referrals.services import referral_decide

        referral = referral_for(request.user, referral_id, action="packet.decide")
        body = S.DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral_decide(actor=request.user, referral=referral, **body.validated_data)
        return Response(_packet(referral_for(request.user, referral_id, action="packet.view")),
                        status=status.HTTP_201_CREATED)


# --- reports ------------------------------------------------------------------------------------

class ReportView(ApiView):
    @extend_schema(operation_id="reports_read", summary="The organisation's report (aggregates, small cells suppressed)",
                   parameters=[S.ReportQuerySerializer], responses={200: S.ReportSerializer, **_errors(400, *_ALWAYS)})
    def get(self, request):
        from safepassage.reports.services import report_build

        require(request.user, "report.view")
        query = _query(S.ReportQuerySerializer, request)
        report = report_build(actor=request.user, year=query.get("year"), lang=query["lang"])
        return Response(S.ReportSerializer(report).data)


# --- shares received --------------------------------------------------------------------------------

class SharesView(ApiView):
    @extend_schema(operation_id="shares_list", summary="Shares the member's organisation received and they may open",
                   responses={200: S.ShareSerializer(many=True), **_errors(*_ALWAYS)})
    def get(self, request):
        require(request.user, "share.inbox")
        return Response(S.ShareSerializer(share_selectors.shares_received(request.user), many=True).data)


class ShareView(ApiView):
    @extend_schema(operation_id="shares_read", summary="The shared fields of one share (audited)",
                   parameters=[_path("share_id", "The share's id")],
                   responses={200: S.ShareDetailSerializer, **_errors(404, *_ALWAYS)})
    def get(self, request, share_id):
        share = share_selectors.share_in_for(request.user, share_id)
        values = share_values(actor=request.user, share=share)
        data = S.ShareSerializer(share).data
        data["pseudonym"] = values.get("pseudonym", "")
        data["values"] = [{"code": c, "label": label, "value": v}
                          for c, label, v in share_selectors.shown_values(share, values)]
        return Response(data)
