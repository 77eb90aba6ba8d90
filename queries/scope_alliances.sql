-- Alliances an account's jurisdiction covers: every alliance for the province, those serving a region of
-- a city or county (their home region is the city or county or lies in it), or the one alliance. A
-- facility covers none (an alliance's figures are its members' together). A scope naming a region of
-- another level, or one outside the monitored places, covers nothing: deny by default.
-- Parameters: $scope_kind ('province', 'city', 'county', 'alliance', 'facility'; null: no jurisdiction),
-- $scope_code (the region, alliance or facility code; null for the province).
-- Grain: one row per alliance.
with
target as (
    select r.code,
    from region r
    where $scope_kind in ('city', 'county')
      and r.level = $scope_kind
      and r.code = $scope_code
      and r.in_scope
)
select
    a.code,
    a.name,
    a.kind,
    a.home_region,
from alliance a
left join region home on home.code = a.home_region
left join region home_parent on home_parent.code = home.parent_code
where $scope_kind = 'province'
   or exists (select 1 from target t where t.code in (home.code, home.parent_code, home_parent.parent_code))
   or ($scope_kind = 'alliance' and a.code = $scope_code)
order by a.code;
