-- Physicians posted to primary care per 10,000 residents of the places served, per alliance and month,
-- and for all the selection's alliances together.
--   posted physicians: mid-level+ physicians posted 6+ months to the alliance's primary members
--       (township, community, village) inside the selection, month-end stock;
--   places served: the towns (乡镇/街道) where those members sit, counting members that had joined by the
--       month's end; a town served by two alliances counts once in the total.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per alliance and month of the period in which it served a town, plus one row per month
-- with a null alliance_code for all alliances together (with an alliance selected: that alliance).
with months as (
    select unnest(generate_series($month_from::date, $month_to::date, interval 1 month))::date as month,
),
primary_members as (
    select m.alliance_code, m.facility_code, s.town_code, m.joined,
    from alliance_member m
    join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = m.facility_code
    where s.tier in ('township', 'community', 'village')
      and s.town_code is not null
      and ($alliance is null or m.alliance_code = $alliance)
),
served as (
    select distinct mo.month, p.alliance_code, p.town_code,
    from primary_members p
    join months mo on p.joined <= last_day(mo.month)
),
posted as (
    select a.alliance_code, a.month, sum(a.posted_physicians) as posted_physicians,
    from alliance_activity a
    join primary_members p on p.alliance_code = a.alliance_code and p.facility_code = a.facility_code
    where a.month between $month_from::date and $month_to::date
    group by all
),
by_alliance as (
    select s.alliance_code, s.month, sum(r.population) as population,
    from served s
    join region r on r.code = s.town_code
    group by all
),
all_alliances as (
    select t.month, sum(r.population) as population,
    from (select distinct month, town_code from served) t
    join region r on r.code = t.town_code
    group by all
)
select
    b.alliance_code,
    b.month,
    coalesce(p.posted_physicians, 0) as posted_physicians,
    b.population,
from by_alliance b
left join posted p on p.alliance_code = b.alliance_code and p.month = b.month
union all
select
    null as alliance_code,
    t.month,
    coalesce((select sum(p.posted_physicians) from posted p where p.month = t.month), 0) as posted_physicians,
    t.population,
from all_alliances t
order by month, alliance_code nulls first;
