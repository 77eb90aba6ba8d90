-- Resources each member facility of the selection received over the period (summed over the alliances
-- it belongs to, so a facility in two alliances is one row), with physicians posted there at the last
-- month of the period that has activity rows (a stock, not a sum).
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per facility with activity rows in the period.
with scoped as (
    select a.*, s.facility_name, s.tier, s.county_code, s.town_code,
    from alliance_activity a
    join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = a.facility_code
        and a.month >= s.counted_from
    where ($alliance is null or a.alliance_code = $alliance)
      and a.month between $month_from::date and $month_to::date
),
last_month as (
    select max(s.month) as month, from scoped s
)
select
    s.facility_code,
    s.facility_name,
    s.tier,
    county.name as county_name,
    town.name as town_name,
    count(distinct s.alliance_code) as alliances,
    sum(s.doctors_sent) as doctors_sent,
    sum(s.nurses_sent) as nurses_sent,
    sum(s.pharmacists_sent) as pharmacists_sent,
    sum(s.technicians_sent) as technicians_sent,
    sum(s.doctors_sent + s.nurses_sent + s.pharmacists_sent + s.technicians_sent) as staff_sent,
    sum(s.expert_clinic_sessions) as expert_clinic_sessions,
    sum(s.teaching_rounds) as teaching_rounds,
    sum(s.lectures) as lectures,
    sum(s.surgery_demos) as surgery_demos,
    sum(s.trainees_sent_up) as trainees_sent_up,
    sum(s.posted_physicians) filter (where s.month = lm.month) as posted_physicians,
from scoped s
cross join last_month lm
left join region county on county.code = s.county_code
left join region town on town.code = s.town_code
group by all
order by staff_sent desc, s.facility_name;
