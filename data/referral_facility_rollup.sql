-- Referrals per month of each facility, as sender and as receiver, summed from fresh_referral_flow_monthly
-- (data/rollups.sql) for the months being rebuilt: what a page listing facilities (the referrals page's
-- table, the what-if receivers) reads instead of every pair of facilities. Sent: up, down, out of the county,
-- up through the green channel; received: up, down, out of the county, and patients returned from outside
-- the county. A facility has a row in each month it sent or received any referral, of any direction.
-- Stored by year, then the facility's county (healthdash/data/build.py MONTHLY_ROLLUPS).
create or replace table fresh_referral_facility_monthly as
with by_side as (
    select
        month,
        from_facility as facility_code,
        sum(referrals) filter (where direction = 'up') as up_sent,
        sum(referrals) filter (where direction = 'down') as down_sent,
        sum(referrals) filter (where direction = 'out_of_county') as out_of_county_sent,
        sum(green_referrals) filter (where direction = 'up') as green_up_sent,
    from fresh_referral_flow_monthly
    group by all
    union all by name
    select
        month,
        to_facility as facility_code,
        sum(referrals) filter (where direction = 'up') as up_received,
        sum(referrals) filter (where direction = 'down') as down_received,
        sum(referrals) filter (where direction = 'out_of_county') as out_of_county_received,
        sum(referrals) filter (where direction = 'returned') as returned_received,
    from fresh_referral_flow_monthly
    group by all
)
select
    b.month,
    b.facility_code,
    g.county_code,
    coalesce(sum(b.up_sent), 0)::bigint as up_sent,
    coalesce(sum(b.down_sent), 0)::bigint as down_sent,
    coalesce(sum(b.out_of_county_sent), 0)::bigint as out_of_county_sent,
    coalesce(sum(b.green_up_sent), 0)::bigint as green_up_sent,
    coalesce(sum(b.up_received), 0)::bigint as up_received,
    coalesce(sum(b.down_received), 0)::bigint as down_received,
    coalesce(sum(b.out_of_county_received), 0)::bigint as out_of_county_received,
    coalesce(sum(b.returned_received), 0)::bigint as returned_received,
from by_side b
left join facility_geo g on g.facility_code = b.facility_code
group by b.month, b.facility_code, g.county_code;
