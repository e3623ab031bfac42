from django.urls import path

from . import views

app_name = "exposure"
urlpatterns = [
    path("", views.index_view, name="index"),
    path("settings/", views.settings_view, name="settings"),
    path("incidents/<uuid:incident_id>/", views.incident_view, name="incident"),
    path("incidents/<uuid:incident_id>/items/<uuid:item_id>/acknowledge/", views.acknowledge_view,
         name="acknowledge"),
    path("incidents/<uuid:incident_id>/items/<uuid:item_id>/resolve/", views.resolve_view, name="resolve"),
    path("people/<uuid:person_id>/", views.person_view, name="person"),
    path("people/<uuid:person_id>/connect/", views.connect_view, name="connect"),
    path("people/<uuid:person_id>/connections/<uuid:connection_id>/remove/", views.disconnect_view,
         name="disconnect"),
    path("people/<uuid:person_id>/knows/<str:kind>/", views.knowledge_add_view, name="knowledge_add"),
    path("people/<uuid:person_id>/knows/remove/<uuid:link_id>/", views.knowledge_remove_view,
         name="knowledge_remove"),
    path("people/<uuid:person_id>/expose/", views.expose_view, name="expose"),
]
