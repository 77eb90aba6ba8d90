-- Facilities of the selection whose reports in the period broke a rule comparing them with the staff on the
-- licensing registers (the rule ids are given), with how many months and the rules broken.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to;
--             $checks (rule ids).
-- Grain: one row per facility with such a flag.
select
    s.facility_code,
    s.facility_name,
    s.tier,
    count(distinct q.month) as months,
    string_agg(distinct q.check_id, ',' order by q.check_id) as checks,
from quality_flag q
join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = q.facility_code
where q.kind = 'rule'
  and list_contains($checks, q.check_id)
  and q.month between $month_from::date and $month_to::date
group by all
order by months desc, s.facility_name;
