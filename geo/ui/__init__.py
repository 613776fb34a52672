"""UI: the Streamlit pieces of the app and its pages; the only room that imports streamlit.

``streamlit_app.py`` and ``pages/`` compose these pieces and nothing else.
"""
