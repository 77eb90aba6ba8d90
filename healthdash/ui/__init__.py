"""The screen: widgets, sidebar, URL state, layout and charts. Only this package, the domains' views and the
database cache import Streamlit.

Importing any module of it makes `t()` follow the language the session chose.
"""

import streamlit as st

from healthdash.core import i18n

i18n.read_language_from(lambda: st.session_state.get(i18n.LANG_KEY))
