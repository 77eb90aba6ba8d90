-- Tertiary hospitals the selection refers patients to, with the referrals they receive and their
-- capacity, for the what-if reserve of appointments and beds (healthdash/scenario.py `Receiver`).
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code: the sending facilities); $month_from, $month_to.
-- Reads the selection's own flows (joined on their home county: up and out-of-county referrals belong to
-- the sender) and each hospital's intake from referral_facility_monthly.
-- Grain: one row per tertiary hospital that received an up- or out-of-county referral from the selection.
-- Hospitals outside the monitored places have no volume rows: their capacity is null.
with senders as (
    select s.facility_code, s.county_code,
    from scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s
),
from_selection as (
    select
        fl.to_facility as facility_code,
        sum(fl.referrals) filter (where fl.direction = 'up') as selection_up,
        sum(fl.referrals) filter (where fl.direction = 'out_of_county') as selection_out_of_county,
    from referral_flow_monthly fl
    join senders s on s.county_code = fl.home_county and s.facility_code = fl.home_facility
    join facility_geo g on g.facility_code = fl.to_facility
    where g.tier = 'tertiary'
      and fl.direction in ('up', 'out_of_county')
      and fl.month between $month_from::date and $month_to::date
    group by all
),
intake as (
    select m.facility_code, sum(m.up_received + m.out_of_county_received) as referrals_received,
    from referral_facility_monthly m
    where m.facility_code in (select facility_code from from_selection)
      and m.month between $month_from::date and $month_to::date
    group by all
),
capacity as (
    select
        f.facility_code,
        sum(f.numerator) filter (where f.indicator_code = 'outpatient_visits') as outpatient_visits,
        sum(f.numerator) filter (where f.indicator_code = 'inpatient_discharges') as discharges,
    from indicator_fact f
    where f.indicator_code in ('outpatient_visits', 'inpatient_discharges')
      and f.month between $month_from::date and $month_to::date
      and f.facility_code in (select facility_code from from_selection)
    group by all
)
select
    i.facility_code,
    fa.name as facility_name,
    i.referrals_received,
    coalesce(fs.selection_up, 0) as selection_up,
    coalesce(fs.selection_out_of_county, 0) as selection_out_of_county,
    c.outpatient_visits,
    c.discharges,
from from_selection fs
join intake i on i.facility_code = fs.facility_code
join facility fa on fa.code = i.facility_code
left join capacity c on c.facility_code = i.facility_code
order by i.facility_code;
