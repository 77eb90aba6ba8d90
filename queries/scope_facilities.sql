-- Facilities an account's jurisdiction covers: every facility for the province (those outside the
-- monitored places too), the facilities of a city's or county's regions, an alliance's members (whenever
-- they joined), or the one facility. A scope naming a region of another level, or one outside the
-- monitored places, covers nothing: deny by default.
-- Parameters: $scope_kind ('province', 'city', 'county', 'alliance', 'facility'; null: no jurisdiction),
-- $scope_code (the region, alliance or facility code; null for the province).
-- Grain: one row per facility.
with
target as (
    select r.code,
    from region r
    where $scope_kind in ('city', 'county')
      and r.level = $scope_kind
      and r.code = $scope_code
      and r.in_scope
),
members as (
    select m.facility_code,
    from alliance_member m
    where $scope_kind = 'alliance'
      and m.alliance_code = $scope_code
)
select
    g.facility_code,
    g.facility_name,
    g.tier,
    g.town_code,
    g.county_code,
    g.city_code,
from facility_geo g
where $scope_kind = 'province'
   or exists (select 1 from target t where t.code in (g.county_code, g.city_code))
   or g.facility_code in (select m.facility_code from members m)
   or ($scope_kind = 'facility' and g.facility_code = $scope_code)
order by g.facility_code;
