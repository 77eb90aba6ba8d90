"""Data quality (数据质量, issue 20): who owes which monthly report and what came in when, reporting rate
and timeliness, outliers, validation rules between related figures, and data officers' follow-up marks.

No Streamlit here, not even through another module: pages run the queries through db.run_query (cached)
by passing a `Runner` (quality.sql), tests and tools run them on a connection.
"""
