"""The progress hook: a callback for a block, nested blocks, silence."""

from geo.progress import report_progress, reporting_progress


def test_nested_blocks_report_to_the_innermost_callback_then_the_outer_again():
    outer, inner = [], []
    with reporting_progress(lambda stage, fraction: outer.append(stage)):
        report_progress("a", 0.1)
        with reporting_progress(lambda stage, fraction: inner.append(stage)):
            report_progress("b", 0.2)
        with reporting_progress(None):
            report_progress("silenced", 0.3)
        report_progress("c", 0.4)
    assert outer == ["a", "c"] and inner == ["b"]


def test_fractions_are_clipped_to_zero_and_one():
    seen = []
    with reporting_progress(lambda stage, fraction: seen.append(fraction)):
        report_progress("before", -0.5)
        report_progress("after", 1.5)
    assert seen == [0.0, 1.0]


def test_the_callback_is_reset_when_the_block_fails():
    seen = []
    try:
        with reporting_progress(lambda stage, fraction: seen.append(stage)):
            raise ValueError("the preparation failed")
    except ValueError:
        pass
    report_progress("later", 0.5)
    assert seen == []
