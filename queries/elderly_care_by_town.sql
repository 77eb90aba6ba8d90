-- 医养结合 for each town of the selection: beds and residents by setting at the town's last reported
-- month in the period (stocks), admissions summed over the period, and the towns that sent no report
-- (reported = false, figures null: no report is no data, never 0 beds).
-- Parameters: $city, $county, $town, $alliance, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per town in the selection.
with towns as (
    select r.code as town_code, r.name as town_name,
    from reach_regions($scope_kind, $scope_code) r
    join region c on c.code = r.parent_code
    where r.level = 'town'
      and in_place($city, $county, $town, c.parent_code, r.parent_code, r.code)
      and ($alliance is null or exists (
          select 1 from alliance a where a.code = $alliance and a.home_region in (c.code, c.parent_code)))
),
reports as (
    select e.*,
    from elderly_care e
    semi join towns t on t.town_code = e.town_code
    where e.month between $month_from::date and $month_to::date
),
last_month as (
    select town_code, max(month) as month, from reports group by town_code
),
at_end as (
    select r.town_code, l.month,
        sum(r.beds) filter (where r.setting = 'health_centre') as centre_beds,
        sum(r.beds) filter (where r.setting = 'nursing_home') as home_beds,
        sum(r.beds) as beds,
        sum(r.residents) as residents,
    from reports r
    join last_month l on l.town_code = r.town_code and l.month = r.month
    group by all
),
admitted as (
    select town_code, sum(admissions) as admissions, from reports group by town_code
)
select
    t.town_code,
    t.town_name,
    e.town_code is not null as reported,
    e.month as last_month,
    if(e.town_code is null, null, coalesce(e.centre_beds, 0))::bigint as centre_beds,
    if(e.town_code is null, null, coalesce(e.home_beds, 0))::bigint as home_beds,
    e.beds::bigint as beds,
    e.residents::bigint as residents,
    a.admissions::bigint as admissions,
from towns t
left join at_end e on e.town_code = t.town_code
left join admitted a on a.town_code = t.town_code
order by t.town_code;
