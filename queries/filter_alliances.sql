-- Alliances a selection may use.
-- Parameters: none. Grain: one row per alliance.
select
    a.code,
    a.name,
    a.kind,
    a.home_region,
from alliance a
order by a.kind, a.code;
