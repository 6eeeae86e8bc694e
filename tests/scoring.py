"""Scoring shared by the exercise tests: fault flags as sets of (rep or hold, code)."""


def precision_recall(got: set, want: set) -> tuple[float, float]:
    """Precision and recall of flagged pairs against the truth (1.0 when empty)."""
    tp = len(got & want)
    return (tp / len(got) if got else 1.0), (tp / len(want) if want else 1.0)
