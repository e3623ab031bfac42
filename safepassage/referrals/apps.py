from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "safepassage.referrals"
    label = "referrals"
