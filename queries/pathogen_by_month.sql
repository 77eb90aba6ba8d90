-- The pathogen identification network month by month: cases its member institutions in the selection
-- sent, cases identified and the total hours to report (turnaround = hours / identified), over every
-- network (with an alliance selected, only that one's).
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per month with pathogen rows.
select
    p.month,
    sum(p.cases_sent) as cases_sent,
    sum(p.cases_identified) as cases_identified,
    sum(p.turnaround_hours) as turnaround_hours,
from pathogen_test p
join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = p.facility_code
    and p.month >= s.counted_from
where ($alliance is null or p.alliance_code = $alliance)
  and p.month between $month_from::date and $month_to::date
group by all
order by p.month;
