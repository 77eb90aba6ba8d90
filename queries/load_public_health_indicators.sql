-- Indicators a public-health file may report, with how they aggregate (ratios need a denominator,
-- counts have none), for the load validator and the template (healthdash/validate.py, template.py).
-- Parameters: none. Grain: one row per indicator of section public_health.
with catalog as (
    select code, name_zh, name_en, unit, aggregation, definition_zh, section, sort_order,
    from indicator
)
select
    code,
    name_zh,
    name_en,
    unit,
    aggregation,
    definition_zh,
from catalog
where section = 'public_health'
order by sort_order;
