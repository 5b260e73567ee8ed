"""Streamlit page modules and their UI helpers; the only code that imports Streamlit."""
