"""One package per page: `data.py` (its queries and the shaping of their results), `charts.py` (builders
that take frames and return charts), `views.py` (the page's sections, in screen order, for
healthdash.ui.layout.render_page). Imports run data ← charts ← views."""
