"""Access specs: only a researcher who is a member sees a study; every other role gets 404.

The researcher persona owns a study built lazily (cached on the personas object); a second researcher who is
not a member of it owns the "foreign" study.
"""

from typing import Any

from commed.lib.access_specs import UrlSpec

RESEARCHER = frozenset({"researcher"})


def _fixture(p):
    cached = getattr(p, "_qualitative", None)
    if cached is None:
        from commed.qualitative.tests.factories import build_access_fixture

        cached = build_access_fixture(p)
        p._qualitative = cached
    return cached


def own(p, name):
    return {"slug": _fixture(p).study.slug}


def foreign(p, name):
    return {"slug": _fixture(p).other_study.slug}


def _with(attr):
    def own_kw(p, name):
        f = _fixture(p)
        return {"slug": f.study.slug, "pk": getattr(f, attr).pk}

    def foreign_kw(p, name):
        f = _fixture(p)
        return {"slug": f.other_study.slug, "pk": getattr(f, "other_" + attr).pk}

    return own_kw, foreign_kw


doc_own, doc_foreign = _with("document")
turn_own, turn_foreign = _with("turn")
code_own, code_foreign = _with("code")
coding_own, coding_foreign = _with("coding")
participant_own, participant_foreign = _with("participant")


def _fresh_coding(p, name):
    """A new coding for each request that deletes one (the first successful delete removes it)."""
    from commed.qualitative import services

    f = _fixture(p)
    coding = services.coding_create(document=f.document, code=f.code, by=p.researcher, start=0, end=5)
    return {"slug": f.study.slug, "pk": coding.pk}


def _coding_data(p):
    return {"code": _fixture(p).code.pk, "start": 0, "end": 4}


def _turn_code_data(p):
    return {"code": _fixture(p).code.pk}


def _turn_data(p):
    return {"participant": _fixture(p).participant.pk, "speaker": "2P14"}


def _memo_data(p):
    return {"text": "A memo", "document": _fixture(p).document.pk}


POST: dict[str, Any] = {"method": "post", "ok_status": (302,)}

SPECS = [
    UrlSpec("qualitative:study_list", allowed=RESEARCHER),
    UrlSpec("qualitative:study_create", allowed=RESEARCHER),
    UrlSpec("qualitative:study", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:members", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:study_localities", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:participants", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:participants_import", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:participant_identity", allowed=RESEARCHER, own=participant_own,
            foreign=participant_foreign),
    UrlSpec("qualitative:documents_import", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:document", allowed=RESEARCHER, own=doc_own, foreign=doc_foreign),
    UrlSpec("qualitative:coding_create", allowed=RESEARCHER, own=doc_own, foreign=doc_foreign,
            data=_coding_data, **POST),
    UrlSpec("qualitative:document_correct", allowed=RESEARCHER, own=doc_own, foreign=doc_foreign),
    UrlSpec("qualitative:document_log", allowed=RESEARCHER, own=doc_own, foreign=doc_foreign),
    UrlSpec("qualitative:turn_edit", allowed=RESEARCHER, own=turn_own, foreign=turn_foreign, data=_turn_data,
            **POST),
    UrlSpec("qualitative:turn_code", allowed=RESEARCHER, own=turn_own, foreign=turn_foreign,
            data=_turn_code_data, **POST),
    UrlSpec("qualitative:coding_delete", allowed=RESEARCHER, own=_fresh_coding, foreign=coding_foreign,
            **POST),
    UrlSpec("qualitative:coding_quote", allowed=RESEARCHER, own=coding_own, foreign=coding_foreign,
            **POST),
    UrlSpec("qualitative:codebook", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:code", allowed=RESEARCHER, own=code_own, foreign=code_foreign),
    UrlSpec("qualitative:memo_create", allowed=RESEARCHER, own=own, foreign=foreign, data=_memo_data,
            **POST),
    UrlSpec("qualitative:search", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:analysis", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:agreement", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:review", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:themes", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:themes_export", allowed=RESEARCHER,
            own=lambda p, n: {**own(p, n), "fmt": "md"}, foreign=lambda p, n: {**foreign(p, n), "fmt": "md"}),
    UrlSpec("qualitative:exchange", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:export_qdpx", allowed=RESEARCHER, own=own, foreign=foreign),
    UrlSpec("qualitative:export_qdc", allowed=RESEARCHER, own=own, foreign=foreign),
]
