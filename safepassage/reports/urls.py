from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_view, name="index"),
    path("report.csv", views.report_csv_view, name="csv"),
    path("report.pdf", views.report_pdf_view, name="pdf"),
]
