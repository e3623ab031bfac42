from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "safepassage.matching"
    label = "matching"

    def ready(self):
        from django.db.models.signals import pre_delete

        from safepassage.people.models import Person

        from safepassage.vault.services import register_plaintext_cache

        from . import scoring
        from .services import match_keys_forget

        def forget_keys(sender, instance, **kwargs):
            match_keys_forget(person=instance)

        # the holder counts follow a person's deletion whichever app deletes them (see the service)
        pre_delete.connect(forget_keys, sender=Person, dispatch_uid="matching.forget_keys", weak=False)
        # names, birth dates and phones folded for matching stay in per-worker caches: gone on seal
        for cached in scoring.PLAINTEXT_CACHES:
            register_plaintext_cache(cached.cache_clear)
