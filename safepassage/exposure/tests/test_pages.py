"""The exposure pages: server-rendered, forms only (no script), the same 404 for missing and forbidden."""
import uuid

from safepassage.audit.models import AuditEvent
from safepassage.exposure.models import Connection, ExposureSettings, Incident, IncidentItem


def no_script(response) -> str:
    html = response.content.decode()
    assert "<script" not in html.lower()
    return html


def test_a_person_is_found_by_reference_through_a_post(client_as, coordinator, network):
    client = client_as(coordinator)
    response = client.post("/exposure/", {"reference": network.ali.reference})
    assert response.status_code == 302 and response["Location"] == f"/exposure/people/{network.ali.pk}/"
    html = no_script(client.post("/exposure/", {"reference": "P-999999"}))
    assert "None of the people you work with has this reference." in html


def test_the_person_page_lists_connections_and_counts_the_hidden_ones(client_as, network):
    html = no_script(client_as(network.worker_a).get(f"/exposure/people/{network.detained.pk}/"))
    assert network.ali.reference in html and "Живут вместе с 2016." in html
    assert network.dana.reference not in html
    assert "And 1 connection to a person you do not work with." in html


def test_a_connection_is_added_from_the_page(client_as, coordinator, network):
    client = client_as(coordinator)
    response = client.post(f"/exposure/people/{network.erik.pk}/connect/", {
        "other": network.chingiz.reference, "relationship": "friend", "person_knows": ["name", "phone"],
        "details": "Вместе работали в Грозном."})
    assert response.status_code == 302
    html = no_script(client.get(f"/exposure/people/{network.erik.pk}/"))
    assert network.chingiz.reference in html and "Вместе работали в Грозном." in html
    assert Connection.objects.count() == 5


def test_a_connection_is_removed_from_the_page_and_a_second_removal_finds_nothing(client_as, coordinator, network):
    client = client_as(coordinator)
    connection = Connection.objects.get(pk__in=[c.pk for c in Connection.objects.all()
                                                if str(network.dana.pk) in c.people])
    url = f"/exposure/people/{network.dana.pk}/connections/{connection.pk}/remove/"
    assert client.post(url)["Location"] == f"/exposure/people/{network.dana.pk}/"
    assert not Connection.objects.filter(pk=connection.pk).exists()
    assert network.detained.reference not in no_script(client.get(f"/exposure/people/{network.dana.pk}/"))
    assert client.post(url).status_code == 404


def test_recording_an_exposure_from_the_page_opens_the_incident(client_as, coordinator, network):
    client = client_as(coordinator)
    response = client.post(f"/exposure/people/{network.detained.pk}/expose/",
                           {"kind": "detained", "notes": "Задержан на блокпосту.", "confirm": "on"})
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exposure/incidents/{incident.pk}/"
    html = no_script(client.get(response["Location"]))
    assert "Задержан на блокпосту." in html and network.bela_case.reference in html
    assert "was Low" in html and "was low" not in html  # the risk it had, in words, not as a code
    assert "?" not in response["Location"]


def test_the_exposure_needs_its_confirmation(client_as, coordinator, network):
    response = client_as(coordinator).post(f"/exposure/people/{network.detained.pk}/expose/", {"kind": "detained"})
    assert response.status_code == 400 and not Incident.objects.exists()


def test_a_worker_sees_the_count_of_cases_in_other_teams(client_as, coordinator, network):
    client_as(coordinator).post(f"/exposure/people/{network.detained.pk}/expose/",
                                {"kind": "phone_seized", "notes": "Телефон изъят.", "confirm": "on"})
    incident = Incident.objects.get()
    html = no_script(client_as(network.worker_b).get(f"/exposure/incidents/{incident.pk}/"))
    assert "2 cases in other teams were alerted." in html
    assert network.ali_case.reference not in html and network.detained.reference not in html
    assert "Телефон изъят." not in html  # the notes are about a person this worker does not work with
    assert network.bela_case.reference in html


def test_acknowledge_and_resolve_from_the_page(client_as, coordinator, network):
    client = client_as(network.worker_b)
    client_as(coordinator).post(f"/exposure/people/{network.detained.pk}/expose/",
                                {"kind": "detained", "confirm": "on"})
    incident = Incident.objects.get()
    item = incident.items.get(case=network.bela_case)
    assert client.post(f"/exposure/incidents/{incident.pk}/items/{item.pk}/acknowledge/").status_code == 302
    assert client.post(f"/exposure/incidents/{incident.pk}/items/{item.pk}/resolve/",
                       {"resolution": "Бела в безопасности."}).status_code == 302
    item.refresh_from_db()
    assert item.state == IncidentItem.STATE_RESOLVED and item.resolved_by == network.worker_b
    hidden = incident.items.get(case=network.ali_case)
    assert client.post(f"/exposure/incidents/{incident.pk}/items/{hidden.pk}/resolve/").status_code == 404
    assert AuditEvent.objects.filter(action="exposure.item.resolve").count() == 1


def test_missing_and_forbidden_incidents_look_the_same(client_as, coordinator, network, org):
    from safepassage.core.testing import staff_member

    client_as(coordinator).post(f"/exposure/people/{network.detained.pk}/expose/",
                                {"kind": "detained", "confirm": "on"})
    incident = Incident.objects.get()
    outsider = client_as(staff_member(org, "worker-c", ["caseworker"]))
    assert outsider.get(f"/exposure/incidents/{incident.pk}/").status_code == 404
    assert outsider.get(f"/exposure/incidents/{uuid.uuid4()}/").status_code == 404


def test_a_worker_cannot_open_the_graph_of_someone_they_do_not_work_with(client_as, network):
    client = client_as(network.worker_b)
    assert client.get(f"/exposure/people/{network.detained.pk}/").status_code == 404
    assert client.post(f"/exposure/people/{network.detained.pk}/expose/",
                       {"kind": "detained", "confirm": "on"}).status_code == 404


def test_the_settings_page_saves_depth_and_risks(client_as, coordinator, network):
    client = client_as(coordinator)
    no_script(client.get("/exposure/settings/"))
    response = client.post("/exposure/settings/", {"depth": 3, "hop_1": "critical", "hop_2": "critical",
                                                    "hop_3": "high", "hop_4": "medium"})
    assert response.status_code == 302
    row = ExposureSettings.objects.get()
    assert row.depth == 3 and row.hop_risks == ["critical", "critical", "high", "medium"]
    assert client_as(network.worker_a).get("/exposure/settings/").status_code == 403


def test_the_risk_cannot_grow_with_distance(client_as, coordinator):
    response = client_as(coordinator).post("/exposure/settings/", {"depth": 2, "hop_1": "high", "hop_2": "critical",
                                                                   "hop_3": "high", "hop_4": "medium"})
    assert response.status_code == 200 and not ExposureSettings.objects.exists()
