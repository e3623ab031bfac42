"""The bulk-view alarm for API calls: the same check as the staff pages (accounts.alarms)."""
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from safepassage.accounts import alarms
from safepassage.policy.rules import membership


class BulkViewThrottle(BaseThrottle):
    def allow_request(self, request, view):
        self.member = membership(request.user)
        return not alarms.check(self.member)

    def wait(self):
        until = getattr(self.member, "throttled_until", None)
        return max(1, int((until - timezone.now()).total_seconds())) if until else None
