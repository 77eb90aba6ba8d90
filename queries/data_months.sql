-- First and last month with any indicator data, within 2000-01 and December of next year: a month outside
-- them (a typing error loaded before the loader refused such months) must not stretch the period choices
-- to years the pages cannot draw.
-- Parameters: none. Grain: one row.
select
    min(f.month) as first_month,
    max(f.month) as last_month,
from indicator_fact f
where f.month between date '2000-01-01' and make_date(year(current_date) + 1, 12, 1);
