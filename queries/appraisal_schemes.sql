-- Scoring schemes uploaded by the commission (监测与考核), not retired, oldest first.
-- Reads no one's figures: unscoped.
-- Parameters: none. Grain: one row per uploaded scheme.
select
    s.scheme_id,
    s.name,
    s.file_name,
    s.text,
    s.uploaded_by,
    s.uploaded_at,
from appraisal_scheme s
where s.retired_at is null
order by s.scheme_id;
