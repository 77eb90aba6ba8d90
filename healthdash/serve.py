"""Start the dashboard: `python -m healthdash.serve [streamlit options]` (what `make run` uses).

app.py declares its pages with st.navigation, but Streamlit also knows the legacy "pages/ folder" mode and
uses it until the first session has called st.navigation: the first deep link after a start (say
/referrals) would run that page file alone, without app.py's layout, navigation and database check.
Turning the legacy mode off before the server starts makes every first visit go through app.py.
"""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from healthdash.db import ROOT


def main(args: list[str]) -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *args]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
