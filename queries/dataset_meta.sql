-- Facts about the database itself (dataset kind, schema version, when it was built).
-- Parameters: none. Grain: one row per key.
select
    m.key,
    m.value,
from meta m;
