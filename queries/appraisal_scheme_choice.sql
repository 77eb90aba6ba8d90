-- The active scoring scheme (监测与考核): the newest choice. Reads no one's figures: unscoped.
-- Parameters: none. Grain: at most one row.
select
    c.scheme_key,
    c.chosen_by,
    c.chosen_at,
from appraisal_scheme_choice c
order by c.choice_id desc
limit 1;
