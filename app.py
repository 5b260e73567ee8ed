"""The app's pages. Each page is one line here; pages live in `views/`."""

import streamlit as st

from views.guard import calm_errors

st.set_page_config(page_title="Product finder", page_icon=":material/healing:", layout="wide")

pages = [
    st.Page("views/shopper.py", title="Product finder", icon=":material/search:", default=True),
    st.Page("views/merchandiser.py", title="Merchandising", icon=":material/tune:"),
    st.Page("views/analyst.py", title="Analytics", icon=":material/insights:"),
]

with calm_errors():
    st.navigation(pages).run()
