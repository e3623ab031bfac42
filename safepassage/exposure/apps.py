from django.apps import AppConfig


class ExposureConfig(AppConfig):
    name = "safepassage.exposure"
    label = "exposure"

    def ready(self):
        from django.db.models.signals import pre_delete

        from safepassage.people.models import Person

        from . import alerts  # noqa: F401  (registers the alert task kinds)
        from .services import graph_forget_person

        def forget(sender, instance, **kwargs):
            graph_forget_person(person=instance)

        # a person's links and connections go with them, whichever app deletes the person
        pre_delete.connect(forget, sender=Person, dispatch_uid="exposure.forget_person", weak=False)
