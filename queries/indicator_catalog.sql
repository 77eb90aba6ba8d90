-- The indicator catalog: names, definitions, units, aggregation, direction and targets.
-- Parameters: none. Grain: one row per indicator.
select
    i.code,
    i.name_zh,
    i.name_en,
    i.section,
    i.definition_zh,
    i.definition_en,
    i.unit,
    i.aggregation,
    i.direction,
    i.target,
    i.target_source,
    i.level,
    i.proposed,
    i.growth_of,
    i.window_months,
from indicator i
order by i.sort_order;
