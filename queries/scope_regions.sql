-- Regions an account's jurisdiction covers: its city or county and every region below it, or every
-- monitored region for the province. An alliance or a facility covers no region (it sees its own figures,
-- never a place's totals), and a scope naming a region of another level, or one outside the monitored
-- places, covers nothing: deny by default.
-- Parameters: $scope_kind ('province', 'city', 'county', 'alliance', 'facility'; null: no jurisdiction),
-- $scope_code (the region, alliance or facility code; null for the province).
-- Grain: one row per region.
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
    r.code,
    r.name,
    r.level,
    r.parent_code,
from region r
left join region parent on parent.code = r.parent_code
where r.in_scope
  and (
    $scope_kind = 'province'
    or exists (select 1 from target t where t.code in (r.code, r.parent_code, parent.parent_code))
  )
order by r.level, r.code;
