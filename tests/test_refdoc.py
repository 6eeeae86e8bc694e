"""docs/report.md documents every fault code with its metric, limit, source and cue."""

from formcheck.exercises import EXERCISES
from formcheck.refdoc import DOC, render


def test_report_doc_is_up_to_date():
    text = DOC.read_text()
    assert render(text) == text, "run `python -m formcheck.refdoc` to regenerate docs/report.md"


def test_every_code_is_documented():
    text = DOC.read_text()
    for ex in EXERCISES.values():
        for f in ex.faults:
            assert f"| `{f.code}` |" in text and f.cue in text and f.source in text
