"""The API's shapes. Plain serializers (no ModelSerializer): sealed fields are read through the
records the selectors handed over, and writes go through the services, never through ``save()``."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from safepassage.cases.models import Case
from safepassage.people.models import Person


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.JSONField(), required=False,
                                   help_text="Field name -> its messages (nested for nested fields).")


class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=100000, default=1)


# --- people -------------------------------------------------------------------------------------

class MessengerSerializer(serializers.Serializer):
    app = serializers.CharField(max_length=40, allow_blank=True)
    handle = serializers.CharField(max_length=200, allow_blank=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)
    full_name = serializers.CharField(max_length=300, allow_blank=True, required=False)
    other_names = serializers.ListField(child=serializers.CharField(max_length=300), required=False, max_length=50)
    date_of_birth = serializers.CharField(max_length=10, allow_blank=True, required=False,
                                          help_text=_("YYYY, YYYY-MM or YYYY-MM-DD"))
    gender = serializers.ChoiceField(choices=Person.GENDER_CHOICES, allow_blank=True, required=False)
    gender_self_described = serializers.CharField(max_length=100, allow_blank=True, required=False)
    phones = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    messengers = MessengerSerializer(many=True, required=False)
    current_location = serializers.CharField(max_length=500, allow_blank=True, required=False)
    notes = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class PersonPageSerializer(PageSerializer):
    results = PersonSerializer(many=True)


# --- cases --------------------------------------------------------------------------------------

class CaseSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)
    person = serializers.UUIDField(source="person_id", read_only=True)
    person_reference = serializers.CharField(source="person.reference", read_only=True)
    status = serializers.ChoiceField(choices=Case.STATUS_CHOICES, read_only=True)
    status_since = serializers.DateTimeField(read_only=True)
    risk_level = serializers.ChoiceField(choices=Case.RISK_CHOICES, read_only=True)
    summary = serializers.CharField(read_only=True)
    risk_reasons = serializers.CharField(read_only=True)
    assignees = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_assignees(self, case) -> list[str]:
        return sorted(u.username for u in case.assignees.all())


class CasePageSerializer(PageSerializer):
    results = CaseSerializer(many=True)


class CaseQuerySerializer(PageQuerySerializer):
    status = serializers.ChoiceField(choices=Case.STATUS_CHOICES, required=False)
    risk = serializers.ChoiceField(choices=Case.RISK_CHOICES, required=False)


class CaseOpenSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    summary = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")
    risk_level = serializers.ChoiceField(choices=Case.RISK_CHOICES, required=False, default="medium")
    risk_reasons = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")


class TransitionSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    source = serializers.CharField(read_only=True)
    target = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True)
    requested_at = serializers.DateTimeField(read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)


class TransitionRequestSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Case.STATUS_CHOICES)
    reason = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")
    data = serializers.DictField(child=serializers.CharField(max_length=500, allow_blank=True), required=False,
                                 default=dict, help_text=_("The move's fields (see the journey table)."))


# --- tasks --------------------------------------------------------------------------------------

class TaskSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    case = serializers.UUIDField(source="case_id", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    kind = serializers.CharField(read_only=True)
    title = serializers.CharField(source="display_title", read_only=True)
    stage = serializers.CharField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    urgent = serializers.BooleanField(read_only=True)
    done_at = serializers.DateTimeField(read_only=True, allow_null=True)


# --- referrals ----------------------------------------------------------------------------------

class FieldValueSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField(allow_blank=True)


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    reason_code = serializers.CharField(allow_blank=True)
    decided_on = serializers.DateField()


class ReferralSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    programme = serializers.CharField(source="programme.code")
    country = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)


class PacketSerializer(ReferralSummarySerializer):
    values = FieldValueSerializer(many=True)
    decisions = DecisionSerializer(many=True)


class DecisionRequestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("approved", "approved"), ("denied", "denied"),
                                               ("more_info", "more_info")])
    decided_on = serializers.DateField()
    reason_code = serializers.CharField(max_length=24, allow_blank=True, required=False, default="")
    reason = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")


# --- reports ------------------------------------------------------------------------------------

class ReportRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.IntegerField(allow_null=True, help_text=_("null: suppressed (too few contributors)"))


class ReportTableSerializer(serializers.Serializer):
    key = serializers.CharField()
    section = serializers.CharField()
    title = serializers.CharField()
    measure = serializers.CharField()
    rows = ReportRowSerializer(many=True)
    total = serializers.IntegerField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation_name")
    year = serializers.IntegerField(allow_null=True)
    years = serializers.ListField(child=serializers.IntegerField())
    k = serializers.IntegerField(help_text=_("cells with fewer contributors are suppressed"))
    tables = ReportTableSerializer(many=True)


class ReportQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
    lang = serializers.ChoiceField(choices=[("en", "en"), ("ru", "ru"), ("fr", "fr")], required=False, default="en")


# --- shares -------------------------------------------------------------------------------------

class ShareSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    sender = serializers.CharField(source="sender.name")
    kind = serializers.CharField()
    purpose = serializers.CharField()
    purpose_label = serializers.CharField()
    shared_fields = serializers.ListField(child=serializers.CharField(), source="fields")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class ShareDetailSerializer(ShareSerializer):
    pseudonym = serializers.CharField()
    values = FieldValueSerializer(many=True)
