"""Commune Atlas domain package: boundaries, indicators, metrics and maps.

Nothing here imports Streamlit; the app (``streamlit_app.py``) is a thin layer on top.
"""

__version__ = "0.1.0"
