from django.http import HttpResponse


def case_list_view(request):  # replaced by the full case views
    return HttpResponse("")
