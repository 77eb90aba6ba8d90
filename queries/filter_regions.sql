-- Places a selection may use: the regions in the account's jurisdiction (macro reach_regions), and the
-- places above a city's or county's own, named so that the sidebar can say where it sits (within false:
-- their totals are out of reach).
-- Parameters: $scope_kind, $scope_code (jurisdiction).
-- Grain: one row per in-scope region (city, county or town) the sidebar may name.
with
reach as (
    select r.code, r.name, r.level, r.parent_code, true as within,
    from reach_regions($scope_kind, $scope_code) r
),
above as (
    select p.code, p.name, p.level, p.parent_code, false as within,
    from region own
    join region p on p.code = own.parent_code
    where $scope_kind = 'county'
      and own.code = $scope_code
      and own.level = 'county'
      and own.code in (select code from reach)
)
select * from reach
union all
select * from above
order by level, code;
