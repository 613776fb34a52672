"""An unexpected page error: a message with an id for the reader, the traceback in the log."""

from __future__ import annotations

import logging
import re

from streamlit.testing.v1 import AppTest


def _failing_page() -> None:
    import streamlit as st

    from geo.ui.errors import run_reporting_errors

    def page() -> None:
        st.write("before the error")
        raise RuntimeError("secret detail /srv/atlas/data.sqlite")

    run_reporting_errors(page)


def _stopping_page() -> None:
    import streamlit as st

    from geo.ui.errors import run_reporting_errors

    def page() -> None:
        st.write("shown")
        st.stop()

    run_reporting_errors(page)
    st.write("never shown: st.stop ends the script")


def test_an_error_becomes_a_message_with_an_id_and_a_logged_traceback(caplog):
    caplog.set_level(logging.ERROR, logger="geo.ui.errors")
    logging.getLogger("geo.ui.errors").propagate = True  # let caplog see the records
    app = AppTest.from_function(_failing_page).run()
    assert not app.exception  # nothing reached Streamlit's own error display
    [message] = [e.value for e in app.error]
    found = re.search(r"mã lỗi \*\*([0-9a-f]{8})\*\*", message)
    assert found, message
    assert "secret detail" not in message and "Traceback" not in message
    [record] = [r for r in caplog.records if r.name == "geo.ui.errors"]
    assert record.error_id == found.group(1) and found.group(1) in record.getMessage()
    assert "secret detail" in caplog.text and "Traceback" in caplog.text


def test_streamlit_control_flow_passes_through():
    app = AppTest.from_function(_stopping_page).run()
    assert not app.exception and not app.error
    assert [m.value for m in app.markdown] == ["shown"]


def _failing_fragment_page() -> None:
    import streamlit as st

    from geo.ui.errors import reporting_fragment, run_reporting_errors

    @reporting_fragment
    def part() -> None:
        clicked = st.button("break", key="break")
        st.write("fragment drawn")
        if clicked:
            raise ValueError("secret fragment detail")

    def page() -> None:
        st.write("page drawn")
        part()

    run_reporting_errors(page)


def test_an_error_in_a_fragment_rerun_becomes_a_message_with_an_id(caplog):
    caplog.set_level(logging.ERROR, logger="geo.ui.errors")
    logging.getLogger("geo.ui.errors").propagate = True
    app = AppTest.from_function(_failing_fragment_page).run()
    assert not app.exception and not app.error
    app.button(key="break").click().run()  # a widget of the fragment: the fragment reruns alone
    assert not app.exception  # Streamlit's own handler saw nothing
    [message] = [e.value for e in app.error]
    found = re.search(r"mã lỗi \*\*([0-9a-f]{8})\*\*", message)
    assert found and "secret fragment detail" not in message, message
    [record] = [r for r in caplog.records if r.name == "geo.ui.errors"]
    assert record.error_id == found.group(1)
    assert "secret fragment detail" in caplog.text and "Traceback" in caplog.text
