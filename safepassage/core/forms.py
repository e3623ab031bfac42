"""What every staff form shares."""
from django.core.exceptions import ValidationError


def form_add_service_errors(form, exc: ValidationError) -> None:
    """A service's field errors shown on the form's fields (unknown keys go on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
