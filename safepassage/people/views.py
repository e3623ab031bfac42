from django.http import HttpResponse


def person_create_view(request):  # replaced by the full people views
    return HttpResponse("")
