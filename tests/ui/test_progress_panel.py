"""The progress panel: shown while a cached preparation reports its stages, never replayed."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.i18n import t


def _open_panel_page() -> None:
    """A cached preparation reporting two stages into a panel left open (as mid-work)."""
    import streamlit as st

    from geo.progress import report_progress, reporting_progress
    from geo.ui.progress import ProgressPanel

    @st.cache_resource(show_spinner=False)
    def prepare() -> int:
        report_progress("web.coverage", 0.0)
        report_progress("web.simplify", 0.6)
        return 42

    panel = ProgressPanel("Preparing the test layer", lang="en", slot=st.empty())
    with reporting_progress(panel):
        value = prepare()
    st.write(f"value={value} shown={panel.shown}")


def _closing_page() -> None:
    """The same through :func:`preparing`: the box goes when the work is done."""
    import streamlit as st

    from geo.progress import report_progress
    from geo.ui.progress import preparing

    @st.cache_resource(show_spinner=False)
    def prepare() -> int:
        report_progress("boundaries.read", 0.0)
        return 7

    with preparing("Reading the test layer", lang="vi") as panel:
        value = prepare()
    st.write(f"value={value} shown={panel.shown}")


def test_the_first_build_shows_the_stage_and_a_cached_one_nothing():
    app = AppTest.from_function(_open_panel_page, default_timeout=30).run()
    assert not app.exception
    [status] = app.status
    assert status.label == "Preparing the test layer" and status.state == "running"
    [bar] = app.progress
    assert bar.value == 60 and bar.text == t("progress.web.simplify", "en")
    assert app.markdown[-1].value == "value=42 shown=True"

    # The next run takes the result from the cache: the box was not recorded with it, so
    # nothing is replayed and nothing is shown.
    app.run()
    assert not app.exception
    assert not app.status and not app.progress
    assert app.markdown[-1].value == "value=42 shown=False"


def test_the_box_goes_when_the_work_is_done():
    app = AppTest.from_function(_closing_page, default_timeout=30).run()
    assert not app.exception
    assert not app.status and not app.progress
    assert app.markdown[-1].value == "value=7 shown=True"


def test_every_stage_has_its_text_in_both_languages():
    from geo.ui.progress import KNOWN_STAGES

    for stage in KNOWN_STAGES:
        assert t(f"progress.{stage}", "vi") != t(f"progress.{stage}", "en")
