"""Checks added for the session-28 real misses (formcheck.recognise):

- a running lunge with the hips pressed forward and down over an upright front
  shin (a low lunge, whatever the arms do) keeps its hips lower than a thigh's
  length over the floor; a pigeon pose rests them as low on a shin folded across
  the body, so a low hip counts for a lunge only with the front shin upright.

Each rule test starts from a kit track's own evidence (via
tests.test_recognise_rules) and changes only the numbers under test.
"""

from __future__ import annotations

from tests.test_recognise_rules import _kit_evidence, _top


def test_a_low_lunge_over_an_upright_front_shin_is_a_running_lunge_and_a_pigeon_is_not():
    ev = _kit_evidence("running_lunge")
    low = {**ev, "running_lunge.hold_hip_height": 0.72}
    assert _top({**low, "running_lunge.hold_shin_forward": 5.0}) == "running_lunge"  # hips pressed forward
    assert _top({**low, "running_lunge.hold_shin_forward": 85.0}) is None  # the front shin folded across: a pigeon
    # Resting on the floor is not a lunge whatever the shin reads.
    assert _top({**ev, "running_lunge.hold_hip_height": 0.5, "running_lunge.hold_shin_forward": 5.0}) is None
