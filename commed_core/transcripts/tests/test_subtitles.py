"""WebVTT and SRT: Teams voice tags, Zoom labels, SRT comma decimals, merging of cues."""

from __future__ import annotations

from commed_core.transcripts import Turn, read_document

TEAMS = """WEBVTT

0a1b2c3d-1111/12-0
00:00:03.120 --> 00:00:05.500
<v Ana Silva>Good morning everyone.</v>

0a1b2c3d-1111/13-0
00:00:05.500 --> 00:00:08.000
<v Ana Silva>Shall we start with the
placement itself?</v>

0a1b2c3d-1111/14-0
00:00:08.200 --> 00:00:10.000 align:start position:10%
<v Dr. Ben O'Neil>Yes &amp; thank you.</v>

NOTE Teams adds no notes, but others do

00:00:10.000 --> 00:00:11.000
<v Ana Silva><i>Great</i>.</v>
"""


def test_teams_voice_tags_become_merged_speaker_turns_with_start_times() -> None:
    doc = read_document(TEAMS.encode(), "meeting.vtt")
    assert doc.text == (
        "Ana Silva: Good morning everyone. Shall we start with the placement itself?\n"
        "Dr. Ben O'Neil: Yes & thank you.\n"
        "Ana Silva: Great."
    )
    assert [(t.speaker, t.time) for t in doc.turns] == [
        ("Ana Silva", 3.12),
        ("Dr. Ben O'Neil", 8.2),
        ("Ana Silva", 10.0),
    ]
    assert [doc.text[t.start : t.end] for t in doc.turns] == doc.text.split("\n")
    assert doc.warnings == []


def test_several_voices_in_one_cue_give_several_turns() -> None:
    data = b"WEBVTT\n\n00:01.000 --> 00:04.000\n<v.loud Ana>Hi!</v>\n<v Ben>Hello.</v>\n"
    doc = read_document(data, "x.vtt")
    assert doc.text == "Ana: Hi!\nBen: Hello."
    assert [(t.speaker, t.time) for t in doc.turns] == [("Ana", 1.0), ("Ben", 1.0)]


def test_srt_with_comma_decimals_and_zoom_style_labels() -> None:
    srt = (
        "1\r\n00:00:01,000 --> 00:00:03,500\r\nInterviewer: Welcome to the\r\nfocus group.\r\n\r\n"
        "2\r\n00:00:03,600 --> 00:00:05,000\r\nInterviewer: Let's begin.\r\n\r\n"
        "3\r\n00:00:05,100 --> 00:00:07,250\r\n<i>Ana: Thank you.</i>\r\n\r\n"
    )
    doc = read_document(srt.encode("utf-8"), "zoom.srt")
    assert doc.source_format == "srt"
    assert doc.text == "Interviewer: Welcome to the focus group. Let's begin.\nAna: Thank you."
    assert doc.turns == [
        Turn("Interviewer", 0, 53, 1.0),
        Turn("Ana", 54, 69, 5.1),
    ]


def test_srt_is_recognised_by_its_content_whatever_the_name() -> None:
    doc = read_document(b"1\n00:00:01,000 --> 00:00:02,000\nHello\n", "upload.bin")
    assert doc.source_format == "srt"
    assert doc.turns == [Turn(None, 0, 5, 1.0)]


def test_cues_without_speakers_are_kept_apart() -> None:
    doc = read_document(b"WEBVTT\n\n00:01.000 --> 00:02.000\nOne\n\n00:02.000 --> 00:03.000\nTwo\n", "a.vtt")
    assert doc.text == "One\nTwo"
    assert [(t.speaker, t.time) for t in doc.turns] == [(None, 1.0), (None, 2.0)]


def test_a_vtt_without_header_is_read_with_a_warning() -> None:
    doc = read_document(b"00:01.000 --> 00:02.000\n<v Ana>Hi</v>\n", "a.vtt")
    assert doc.text == "Ana: Hi"
    assert any("WEBVTT" in w for w in doc.warnings)


def test_a_block_without_timing_is_skipped_with_a_warning() -> None:
    doc = read_document(b"WEBVTT\n\njust some words\n\n00:01.000 --> 00:02.000\nHi\n", "a.vtt")
    assert doc.text == "Hi"
    assert any("line 3" in w and "timing" in w for w in doc.warnings)


def test_a_once_only_colon_phrase_among_many_cues_is_not_a_speaker() -> None:
    cues = [f"00:00:{i:02d}.000 --> 00:00:{i:02d}.900\nAna: sentence {i}" for i in range(25)]
    cues[10] = "00:00:10.000 --> 00:00:10.900\nThe point is: we agree"
    doc = read_document(("WEBVTT\n\n" + "\n\n".join(cues)).encode(), "zoom.vtt")
    assert [t.speaker for t in doc.turns] == ["Ana", None, "Ana"]
    assert "The point is: we agree" in doc.text.split("\n")


def test_a_utf16_teams_transcript_is_recognised_after_decoding() -> None:
    doc = read_document(
        "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n<v Ana>Olá</v>\r\n".encode("utf-16"), "t.txt"
    )
    assert doc.source_format == "vtt"
    assert doc.text == "Ana: Olá"


def test_a_vtt_named_file_without_any_timing_is_plain_text() -> None:
    doc = read_document(b"Ana: this was typed by hand\nBen: indeed", "notes.vtt")
    assert doc.source_format == "text"
    assert [t.speaker for t in doc.turns] == ["Ana", "Ben"]
    assert any("extension says .vtt" in w for w in doc.warnings)
