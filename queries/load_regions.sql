-- Places a loaded file may name, for the load validator and the template's code sheet
-- (healthdash/validate.py, healthdash/template.py).
-- Parameters: none. Grain: one row per region: monitored counties, then monitored towns, then the rest,
-- so that each of the first two is one block of rows (the template's drop-down lists point at them).
with regions as (
    select code, name, level, parent_code, in_scope,
    from region
)
select
    r.code,
    r.name,
    r.level,
    r.parent_code,
    p.name as parent_name,
    r.in_scope,
from regions r
left join region p on p.code = r.parent_code
order by
    case when r.in_scope and r.level = 'county' then 1 when r.in_scope and r.level = 'town' then 2 else 3 end,
    r.code;
