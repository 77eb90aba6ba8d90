-- Member facilities of the selection's alliances taken together, each facility once however many of
-- these alliances it belongs to (the registry's total line). Same alliances as alliance_registry.sql.
-- Parameters: $city, $county, $town, $tiers, $scope_kind, $scope_code (scope); $month_to (last month of the period); $kinds and
--             $integrations (lists of the alliance kinds and integration levels to keep).
-- Grain: one row.
with members as (
    select m.alliance_code, m.facility_code,
    from alliance_member m
    join alliance a on a.code = m.alliance_code
    where m.joined <= last_day($month_to::date)
      and a.founded <= last_day($month_to::date)
      and list_contains($kinds, a.kind)
      and list_contains($integrations, a.integration)
),
listed as (
    select distinct m.alliance_code,
    from members m
    join scoped_facilities($city, $county, $town, null, $tiers, $scope_kind, $scope_code) s on s.facility_code = m.facility_code
)
select
    count(distinct l.alliance_code) as alliances,
    count(distinct m.facility_code) as facilities,
    count(m.facility_code) as memberships,
from members m
join listed l on l.alliance_code = m.alliance_code;
