"""The database: read-only access with caches per database version, the indicator catalog, building a
database from frames (rollups included), headline figures per selection (kpi), and the demo world."""
