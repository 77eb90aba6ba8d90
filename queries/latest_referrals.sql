-- The most recent referral events with the columns a facility reports, for the load benchmark and
-- the load tests (healthdash/load_bench.py, tests/test_load_*.py).
-- Parameters: $rows (how many). Grain: one row per referral event, newest first.
with events as (
    select referral_id, from_facility, to_facility, referral_date, direction, disease_chapter, green_channel, status,
    from referral
)
select
    from_facility,
    to_facility,
    referral_date,
    direction,
    disease_chapter,
    green_channel,
    status,
from events
order by referral_id desc
limit $rows;
