from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "safepassage.referrals"
    label = "referrals"

    def ready(self):
        from . import report_figures, timeline

        report_figures.connect()  # destinations and denials by country in the public report
        timeline.connect()
