-- Places a selection may use.
-- Parameters: none. Grain: one row per in-scope region (city, county or town).
select
    r.code,
    r.name,
    r.level,
    r.parent_code,
from region r
where r.in_scope
order by r.level, r.code;
