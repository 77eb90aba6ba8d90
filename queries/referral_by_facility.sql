-- Referral figures of every facility in the selection that sent or received referrals in the period:
-- what it sent (up, down, out of the county; up through the green channel) and what it received (up,
-- down, and patients returned from outside the county, which count as its own, as in the indicators).
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per facility of the selection with referrals.
with scope as (
    select s.facility_code, s.facility_name, s.tier, s.county_code, s.town_code, s.counted_from,
    from scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s
),
flows as (
    select f.month, f.from_facility, f.to_facility, f.direction, f.referrals, f.green_referrals,
    from referral_flow_monthly f
    where f.month between $month_from::date and $month_to::date
),
sent as (
    select
        fl.from_facility as facility_code,
        sum(fl.referrals) filter (where fl.direction = 'up') as up_sent,
        sum(fl.referrals) filter (where fl.direction = 'down') as down_sent,
        sum(fl.referrals) filter (where fl.direction = 'out_of_county') as out_of_county_sent,
        sum(fl.green_referrals) filter (where fl.direction = 'up') as green_up_sent,
    from flows fl
    join scope s on s.facility_code = fl.from_facility and fl.month >= s.counted_from
    group by all
),
received as (
    select
        fl.to_facility as facility_code,
        sum(fl.referrals) filter (where fl.direction = 'up') as up_received,
        sum(fl.referrals) filter (where fl.direction = 'down') as down_received,
        sum(fl.referrals) filter (where fl.direction = 'returned') as returned_received,
    from flows fl
    join scope s on s.facility_code = fl.to_facility and fl.month >= s.counted_from
    group by all
)
select
    s.facility_code,
    s.facility_name,
    s.tier,
    county.name as county_name,
    town.name as town_name,
    coalesce(se.up_sent, 0) as up_sent,
    coalesce(se.down_sent, 0) as down_sent,
    coalesce(se.out_of_county_sent, 0) as out_of_county_sent,
    coalesce(se.green_up_sent, 0) as green_up_sent,
    coalesce(re.returned_received, 0) as returned_received,
    coalesce(re.up_received, 0) as up_received,
    coalesce(re.down_received, 0) as down_received,
from scope s
left join sent se on se.facility_code = s.facility_code
left join received re on re.facility_code = s.facility_code
join region county on county.code = s.county_code
left join region town on town.code = s.town_code
where se.facility_code is not null or re.facility_code is not null
order by s.county_code, s.tier, s.facility_code;
