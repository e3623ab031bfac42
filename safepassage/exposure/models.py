"""The exposure graph (who knows whom and what) and the incidents it raises.

Threat: the graph is itself the most dangerous list in the building. Whoever seizes the database
must not be able to read who knows whom, not even as a web of anonymous ids that could be laid
over a social graph recovered from seized phones. So the adjacency is stored as ``GraphLink`` rows
that name their holder only by a blind index (a keyed HMAC of the person's id) and seal everything
else — the other end, what the holder knows, the connection — under the organisation's graph key.
The two ends of one connection share nothing in the clear. ``Connection`` keeps the words about a
connection (relationship, details, what each side knows) sealed under its own data key, without a
clear reference to either person. See docs/threat-model.md, "The exposure graph".

An ``Incident`` is the response to one exposure: it names, in the clear, the cases alerted (the
incident page must filter them by access and sort them by urgency) but keeps why each was alerted
(what was known, through whom) sealed under the incident's key.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safepassage.vault.fields import SealedChildModel, SealedJSONField, SealedModel, SealedTextField

from . import vocabulary as V


class ExposureSettings(models.Model):
    """Per organisation: how far an exposure reaches through the graph, and the risk at each hop."""

    DEFAULT_DEPTH = 2
    MAX_DEPTH = 4
    DEFAULT_HOP_RISKS = ["critical", "high", "medium", "low"]  # hop 1, 2, 3, 4

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE,
                                        related_name="exposure_settings")
    depth = models.PositiveSmallIntegerField(default=DEFAULT_DEPTH)
    hop_risks = models.JSONField(default=list)

    def __str__(self):
        return f"exposure settings {self.organisation_id}"

    def risk_at(self, hop: int) -> str:
        risks = self.hop_risks or self.DEFAULT_HOP_RISKS
        if hop <= 0:
            return "critical"
        return risks[min(hop, len(risks)) - 1]


class GraphKey(models.Model):
    """The data key sealing an organisation's graph links. Shredding it burns the whole graph."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    data_key_id = models.UUIDField()

    def __str__(self):
        return f"graph key {self.organisation_id}"


class GraphLink(models.Model):
    """One end of the graph: a person knows someone or something. Nothing readable without the keys.

    ``holder`` is ``vault.blind_index`` of the holding person (organisation and id); ``payload`` is
    sealed under the organisation's ``GraphKey`` and bound to this row's id (see ``graph``). A random
    id and no timestamp: nothing orders or pairs the rows.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # no index of its own: the (organisation, holder) index serves every query
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    holder = models.CharField(max_length=32)
    payload = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "holder"], name="exposure_link_holder")]

    def __str__(self):
        return f"graph link {self.pk}"


class Connection(SealedModel):
    """Two people who know each other: the words about it, sealed. Its ends are two GraphLinks."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    people = SealedJSONField()  # [person a id, person b id]
    relationship = SealedTextField()  # a code of vocabulary.RELATIONSHIPS
    a_knows = SealedJSONField()  # what a knows about b: codes of vocabulary.PERSON_KNOWLEDGE
    b_knows = SealedJSONField()
    details = SealedTextField()

    def __str__(self):
        return f"connection {self.pk}"


class Incident(SealedModel):
    """Someone was detained, went missing, lost their phone or was outed; what that put at risk."""

    STATUS_OPEN = "open"
    STATUS_CLOSED = "closed"
    STATUS_CHOICES = [(STATUS_OPEN, pgettext_lazy("state of an incident", "Open")), (STATUS_CLOSED, _("Closed"))]

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=V.EVENTS)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    depth = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=STATUS_CHOICES, default=STATUS_OPEN, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # what was alerted, counted (every item, whoever may see it)
    people_count = models.PositiveIntegerField(default=0)
    case_count = models.PositiveIntegerField(default=0)
    house_count = models.PositiveIntegerField(default=0)
    route_count = models.PositiveIntegerField(default=0)
    staff_count = models.PositiveIntegerField(default=0)
    propagation_ms = models.FloatField(default=0)

    notes = SealedTextField()

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"incident {self.pk}"


class IncidentItem(SealedChildModel):
    """One thing put at risk by an incident, with its own acknowledge/resolve state.

    In the clear: what kind of thing, which record (a case, a house, a travel plan, a staff member),
    the hop, urgency and the risk set, and the state. Sealed under the incident's key: why (what the
    exposed person knew, through whom the graph reached it).
    """

    KIND_CASE = "case"
    KIND_PERSON = "person"  # a person reached who has no open case
    KIND_HOUSE = "house"
    KIND_ROUTE = "route"
    KIND_STAFF = "staff"
    KIND_CHOICES = [
        (KIND_CASE, _("Case")),
        (KIND_PERSON, _("Person")),
        (KIND_HOUSE, _("Safe house")),
        (KIND_ROUTE, _("Route")),
        (KIND_STAFF, _("Staff member")),
    ]
    STATE_OPEN = "open"
    STATE_ACKNOWLEDGED = "acknowledged"
    STATE_RESOLVED = "resolved"
    STATE_CHOICES = [
        (STATE_OPEN, _("New")),
        (STATE_ACKNOWLEDGED, _("Acknowledged")),
        (STATE_RESOLVED, _("Resolved")),
    ]

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=8, choices=KIND_CHOICES)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    house_id = models.UUIDField(null=True, blank=True)  # a safehouses.SafeHouse
    plan_id = models.UUIDField(null=True, blank=True)  # a travel.TravelPlan (case: the plan's case)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    hop = models.PositiveSmallIntegerField(default=0)
    urgency = models.PositiveSmallIntegerField(default=50)  # smaller is more urgent
    risk_before = models.CharField(max_length=8, blank=True)
    risk_after = models.CharField(max_length=8, blank=True)
    state = models.CharField(max_length=12, choices=STATE_CHOICES, default=STATE_OPEN)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    why = SealedJSONField(list_value=False)  # {"via": person id, "knows": [...], "basis": [...], "own": bool}
    resolution = SealedTextField()

    class Meta:
        ordering = ["urgency", "hop"]
        indexes = [models.Index(fields=["incident", "state", "urgency"], name="exposure_item_queue")]

    def __str__(self):
        return f"incident item {self.pk}"
