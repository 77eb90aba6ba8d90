-- First and last month with any indicator data.
-- Parameters: none. Grain: one row.
select
    min(f.month) as first_month,
    max(f.month) as last_month,
from indicator_fact f;
