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


def test_gait_threshold_table_is_generated_from_the_rules():
    from formcheck.gait.rules import BASELINE_FAULTS, CLIP_FAULTS, STEP_FAULTS, UNMEASURED, threshold_table
    from formcheck.refdoc import GAIT_BEGIN, GAIT_DOC, render_gait

    text = GAIT_DOC.read_text()
    assert render_gait(text) == text, "run `python -m formcheck.refdoc` to regenerate docs/gait.md"
    table = threshold_table()
    assert table in text
    for f in (*STEP_FAULTS, *BASELINE_FAULTS.values(), *CLIP_FAULTS):
        assert f"| `{f.code}` |" in table and f.cue in table and f.source in table
        for c in f.when:
            assert f"`{c.metric}` {c.op} {c.limit:g}" in table
    for code, why in UNMEASURED.items():
        assert f"| `{code}` | not judged |" in table and why in table
    assert text.index(GAIT_BEGIN) < text.index("| `knee_valgus` |")
