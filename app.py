"""The app's pages. Each page is one line here; pages live in `views/`."""

from pathlib import Path

import streamlit as st

from views.guard import calm_errors
from views.signin import is_staff
from views.style import apply_style

# A file served by our own server: a ":material/...:" page icon makes every visitor's browser
# fetch the favicon from Google's font servers.
FAVICON = Path(__file__).parent / "assets" / "favicon.png"
st.set_page_config(page_title="Product finder", page_icon=str(FAVICON), layout="wide")
apply_style()

pages = [
    st.Page("views/shopper.py", title="Product finder", icon=":material/search:", default=True),
    st.Page("views/merchandiser.py", title="Merchandising", icon=":material/tune:"),
    st.Page("views/analyst.py", title="Analytics", icon=":material/insights:"),
]

with calm_errors():
    # Shoppers get no menu at all: the staff pages are reached by their address (or the
    # "Staff sign-in" link at the foot of the finder), and each page checks the role itself.
    st.navigation(pages, position="sidebar" if is_staff() else "hidden").run()
