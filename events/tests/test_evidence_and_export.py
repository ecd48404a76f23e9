import csv
import io

from django.core.files.base import ContentFile

from events.tests.factories import PanelFactory, ProgressEventFactory

PDF = b"%PDF-1.4\n%%EOF\n"


def test_it_serves_evidence_as_a_download_with_its_original_name(client, cast):
    event = ProgressEventFactory(commitment=cast.commitment, evidence_name="Agenda – Goma.pdf")
    event.evidence_file.save("whatever.pdf", ContentFile(PDF))
    client.force_login(cast.focal_point)
    response = client.get(f"/events/{event.pk}/evidence/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Agenda" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_it_answers_404_for_an_event_without_evidence(client, cast):
    event = ProgressEventFactory(commitment=cast.commitment)
    client.force_login(cast.focal_point)
    assert client.get(f"/events/{event.pk}/evidence/").status_code == 404


def test_evidence_files_are_not_served_from_their_storage_path(client, cast):
    event = ProgressEventFactory(commitment=cast.commitment)
    event.evidence_file.save("agenda.pdf", ContentFile(PDF))
    client.force_login(cast.champion_user)
    assert event.evidence_file.name.startswith("evidence/")
    assert client.get("/" + event.evidence_file.name).status_code == 404
    assert client.get("/media/" + event.evidence_file.name).status_code == 404


def _rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_it_exports_the_events_of_the_champions_a_user_serves(client, cast):
    ProgressEventFactory(
        commitment=cast.commitment, title="=HYPERLINK(evil)", occurred_on=cast.cycle.starts_on
    )
    PanelFactory(commitment=cast.other_commitment, title="Not theirs")
    client.force_login(cast.focal_point)
    response = client.get("/events/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _rows(response)
    assert rows[0][:6] == ["champion", "cycle", "commitment", "date", "kind", "title"]
    assert len(rows) == 2
    assert rows[1][:6] == [
        "Chidi Champion",
        str(cast.cycle.year),
        "1",
        cast.cycle.starts_on.isoformat(),
        "Meeting with staff",
        "'=HYPERLINK(evil)",
    ]


def test_the_export_ignores_a_champion_the_user_does_not_serve(client, cast):
    PanelFactory(commitment=cast.other_commitment)
    client.force_login(cast.focal_point)
    assert len(_rows(client.get(f"/events/export.csv?champion={cast.other_champion.pk}"))) == 1
