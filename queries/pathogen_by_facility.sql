-- Each member institution of a pathogen identification network in the selection over the period: cases
-- sent, identified and the total hours to report, with the network and the member's county.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per network and sending member with rows in the period.
select
    p.alliance_code,
    al.name as alliance_name,
    s.facility_code,
    s.facility_name,
    county.name as county_name,
    al.lead_facility,
    sum(p.cases_sent) as cases_sent,
    sum(p.cases_identified) as cases_identified,
    sum(p.turnaround_hours) as turnaround_hours,
from pathogen_test p
join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = p.facility_code
    and p.month >= s.counted_from
join alliance al on al.code = p.alliance_code
left join region county on county.code = s.county_code
where ($alliance is null or p.alliance_code = $alliance)
  and p.month between $month_from::date and $month_to::date
group by all
order by al.name, s.facility_name;
