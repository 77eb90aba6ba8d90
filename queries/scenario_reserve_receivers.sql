-- Tertiary hospitals the selection refers patients to, with the referrals they receive and their
-- capacity, for the what-if reserve of appointments and beds (healthdash/scenario.py `Receiver`).
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code: the sending facilities); $month_from, $month_to.
-- Grain: one row per tertiary hospital that received an up- or out-of-county referral from the selection.
-- Hospitals outside the monitored places have no volume rows: their capacity is null.
with senders as (
    select s.facility_code,
    from scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s
),
intake as (
    select
        fl.to_facility as facility_code,
        sum(fl.referrals) as referrals_received,
        sum(fl.referrals) filter (where fl.direction = 'up' and fl.from_facility in (select facility_code from senders))
            as selection_up,
        sum(fl.referrals) filter (
            where fl.direction = 'out_of_county' and fl.from_facility in (select facility_code from senders)
        ) as selection_out_of_county,
    from referral_flow_monthly fl
    join facility_geo g on g.facility_code = fl.to_facility
    where g.tier = 'tertiary'
      and fl.direction in ('up', 'out_of_county')
      and fl.month between $month_from::date and $month_to::date
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
      and f.facility_code in (select i.facility_code from intake i)
    group by all
)
select
    i.facility_code,
    fa.name as facility_name,
    i.referrals_received,
    coalesce(i.selection_up, 0) as selection_up,
    coalesce(i.selection_out_of_county, 0) as selection_out_of_county,
    c.outpatient_visits,
    c.discharges,
from intake i
join facility fa on fa.code = i.facility_code
left join capacity c on c.facility_code = i.facility_code
where coalesce(i.selection_up, 0) + coalesce(i.selection_out_of_county, 0) > 0
order by i.facility_code;
