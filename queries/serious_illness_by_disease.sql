-- 大病专项救治 per disease group for the selection's towns: this year's cases and those treated, as each
-- town reported them at its last month in the period (a running total of the year: a stock), and the
-- number of towns that reported the group. A selected alliance reads the towns of the place it serves.
-- Parameters: $city, $county, $town, $alliance, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per disease group reported in the period.
with towns as (
    select r.code as town_code,
    from reach_regions($scope_kind, $scope_code) r
    join region c on c.code = r.parent_code
    where r.level = 'town'
      and in_place($city, $county, $town, c.parent_code, r.parent_code, r.code)
      and ($alliance is null or exists (
          select 1 from alliance a where a.code = $alliance and a.home_region in (c.code, c.parent_code)))
),
-- each town's last month with a report of the group inside the period
latest as (
    select s.town_code, s.disease, arg_max(s.cases, s.month) as cases, arg_max(s.treated, s.month) as treated,
    from serious_illness s
    semi join towns t on t.town_code = s.town_code
    where s.month between $month_from::date and $month_to::date
    group by all
)
select disease, sum(cases)::bigint as cases, sum(treated)::bigint as treated, count(*) as towns,
from latest
group by disease
order by disease;
