from django.conf import settings
from django.db import models
from django.utils import timezone

from safepassage.vault.fields import SealedChildModel, SealedTextField

from .kinds import CUSTOM, task_kind_label


class Task(SealedChildModel):
    """Something to do on a case, by a date. Sealed under the case's key (shredded with it).

    In the clear: the kind code, dates, assignee and urgency (they drive the work queues). A task
    typed by hand keeps its words in ``title``, sealed: they may name someone or somewhere.
    """

    OUTCOME_DONE = "done"
    OUTCOME_SUPERSEDED = "superseded"  # the case left the stage that started it
    OUTCOMES = [(OUTCOME_DONE, "done"), (OUTCOME_SUPERSEDED, "superseded")]

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=40, default=CUSTOM)
    stage = models.CharField(max_length=24, blank=True, default="")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="tasks")
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    urgent = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    outcome = models.CharField(max_length=12, blank=True, default="", choices=OUTCOMES)

    title = SealedTextField()

    class Meta:
        ordering = ["due_at", "created_at"]

    def __str__(self):
        return f"task {self.kind} on {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < timezone.now()

    @property
    def label(self) -> str:
        """The kind's translated label (no decryption)."""
        return task_kind_label(self.kind)

    @property
    def display_title(self) -> str:
        """The typed words if any (decrypts: the caller has checked access), else the kind's label."""
        return self.title or self.label
