"""A researcher selects words of a transcript with an emoji before them, codes them, writes a memo on the
segment and reads the analysis pages; axe finds no violation on any page."""

from __future__ import annotations

import pytest

from commed.lib.browser import axe_violations, chromium_page, sign_in
from commed.qualitative import services
from commed.qualitative.models import Coding, Memo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Facilitator: How was it? 🙂\n2P14: We were equals from the start, truly.\nC01: The money came late.\n"


def test_a_selection_after_an_emoji_is_coded_on_the_right_words(live_server, personas) -> None:
    owner = personas.researcher
    study = services.study_create(owner=owner, title="Browser study", slug="browser-study")
    services.participant_create(study=study, by=owner, code="2P14", attributes={"Role": "partner"})
    services.participant_create(study=study, by=owner, code="C01", attributes={"Role": "coordinator"})
    document = services.documents_import(study=study, by=owner, files=[("fg.txt", TEXT.encode())]).documents[0]
    theme = services.code_create(study=study, by=owner, name="Reciprocity", colour="#1F77B4")
    services.code_create(study=study, by=owner, name="Equal partners", parent=theme,
                         definition="Partners describe being treated as equals.")
    words = "equals from the start"
    start = document.text.index(words)
    violations: list[str] = []
    with chromium_page() as page:
        sign_in(page, live_server.url, "researcher", "persona-password")
        page.goto(f"{live_server.url}/research/browser-study/documents/{document.pk}/")
        violations += axe_violations(page)
        # Select the words as a mouse would: a DOM range over the text node that holds them.
        page.evaluate(
            """(words) => {
                const container = document.getElementById("text");
                const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
                let node;
                while ((node = walker.nextNode())) {
                    const at = node.data.indexOf(words);
                    if (at >= 0) {
                        const range = document.createRange();
                        range.setStart(node, at);
                        range.setEnd(node, at + words.length);
                        const selection = window.getSelection();
                        selection.removeAllRanges();
                        selection.addRange(range);
                        container.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
                        return;
                    }
                }
                throw new Error("words not found");
            }""",
            words,
        )
        assert page.locator("#coding-start").input_value() == str(start)  # code points: the emoji counts 1
        assert page.locator("#coding-end").input_value() == str(start + len(words))
        page.locator("#coding-form").get_by_label("Code").select_option(label="Equal partners")
        page.get_by_role("button", name="Apply code").click()
        page.get_by_text("Coded.").wait_for()
        violations += axe_violations(page)
        page.get_by_text("Memo on this segment").first.click()
        page.get_by_label(f"Memo on the segment {start}–{start + len(words)}").fill("Claimed, not shown.")
        page.get_by_role("button", name=f"Save memo on segment {start}–{start + len(words)}").click()
        page.get_by_text("Memo saved.").wait_for()
        for path in ("analysis/", "themes/", "agreement/", "codebook/", "participants/", "exchange/",
                     "search/?q=equals"):
            page.goto(f"{live_server.url}/research/browser-study/{path}")
            violations += axe_violations(page)
    coding = Coding.objects.get(study=study)
    assert (coding.start, coding.end, coding.quote) == (start, start + len(words), words)
    assert Memo.objects.get(coding=coding).text == "Claimed, not shown."
    assert not violations, "\n".join(violations)
