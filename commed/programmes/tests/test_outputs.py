"""The outputs register: uploads checked by type and size, stored privately, served only to those allowed."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from commed.partners.models import LedgerEntry
from commed.programmes import services
from commed.programmes.models import Output, OutputFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def docx_bytes(inner="word/document.xml"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(inner, "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content"), [
    ("leaflet.pdf", b"%PDF-1.7\n..."),
    ("poster.png", PNG),
    ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
    ("pack.docx", docx_bytes()),
    ("notes.txt", "Notes in Bengali: ডায়াবেটিস".encode()),
    ("film.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20),
    ("talk.mp3", b"ID3\x03\x00" + b"\x00" * 20),
])
def test_allowed_files_are_stored(world, personas, name, content):
    output = services.output_create(actor=personas.student, project=world.project_a, kind="leaflet", title="L",
                                    files=[SimpleUploadedFile(name, content)])
    stored = output.files.get()
    assert stored.original_name == name
    assert name not in str(stored.file.name)  # stored under a random name
    assert stored.file.read() == content


@pytest.mark.parametrize(("name", "content", "message"), [
    ("script.exe", b"MZ\x90\x00", "cannot be uploaded"),
    ("page.html", b"<script>alert(1)</script>", "cannot be uploaded"),
    ("fake.pdf", b"<html>not a pdf</html>", "does not contain what its name says"),
    ("fake.png", b"%PDF-1.4", "does not contain what its name says"),
    ("macro.docx", docx_bytes("xl/workbook.xml"), "does not contain what its name says"),
    ("binary.txt", b"abc\x00def", "does not contain what its name says"),
    ("noextension", b"%PDF-1.4", "cannot be uploaded"),
    ("empty.pdf", b"", "is empty"),
])
def test_disallowed_or_disguised_files_are_refused_and_nothing_is_saved(world, personas, name, content, message):
    with pytest.raises(ValidationError, match=message):
        services.output_create(actor=personas.student, project=world.project_a, kind="leaflet", title="L",
                               files=[SimpleUploadedFile(name, content)])
    assert not Output.objects.filter(title="L").exists()


def test_files_over_the_size_limit_are_refused_with_the_limit_named(world, personas, settings, client):
    settings.PROGRAMMES_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(personas.student)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1))
    response = client.post(f"/programmes/projects/{world.project_a.pk}/outputs/new/",
                           {"kind": "report", "title": "Big", "attachments": big})
    assert response.status_code == 200
    assert "big.pdf is 1.0 MB; files may be at most 1 MB." in response.content.decode()
    assert not Output.objects.filter(title="Big").exists()


def test_an_output_is_registered_through_the_page_with_its_details(world, personas, client):
    client.force_login(personas.partner_a)
    response = client.post(f"/programmes/projects/{world.project_a.pk}/outputs/new/", {
        "kind": "video", "title": "Diabetes video", "languages": "bn, en", "audience": "Older people",
        "reach": 120, "licence": "CC BY 4.0", "partner_may_reuse": "on",
        "attachments": [SimpleUploadedFile("a.txt", b"script"), SimpleUploadedFile("b.png", PNG)],
    })
    assert response.status_code == 302
    output = Output.objects.get(title="Diabetes video")
    assert (output.reach, output.licence, output.partner_may_reuse, output.files.count()) == (120, "CC BY 4.0",
                                                                                              True, 2)
    assert LedgerEntry.objects.filter(partnership__organisation=personas.org_a, kind="outputs").exists()


def test_files_are_served_as_attachments_only_to_those_who_see_the_project(world, personas, client):
    stored = world.file_a
    client.force_login(personas.partner_a)
    response = client.get(f"/programmes/files/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"A leaflet about diabetes.\n"
    for other in ("partner_b", "outsider"):
        client.force_login(getattr(personas, other))
        assert client.get(f"/programmes/files/{stored.pk}/").status_code == 404
    client.force_login(world.student_b)
    assert client.get(f"/programmes/files/{stored.pk}/").status_code == 404
    assert OutputFile.objects.count() == 2


def test_stored_files_have_no_public_address(world, personas, client):
    stored = world.file_a
    client.force_login(personas.lead)
    for guess in (f"/media/{stored.file.name}", f"/{stored.file.name}", f"/static/{stored.file.name}"):
        assert client.get(guess).status_code == 404, guess
    assert client.get(f"/programmes/files/{stored.pk}/").status_code == 200
