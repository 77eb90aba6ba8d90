-- Regions an account's jurisdiction covers (macro reach_regions of data/rollups.sql): its city or county
-- and every region below it, or every monitored region for the province. An alliance or a facility covers
-- no region, and a scope naming a region of another level, or one outside the monitored places, covers
-- nothing: deny by default.
-- Parameters: $scope_kind ('province', 'city', 'county', 'alliance', 'facility'; null: no jurisdiction),
-- $scope_code (the region, alliance or facility code; null for the province).
-- Grain: one row per region.
select
    r.code,
    r.name,
    r.level,
    r.parent_code,
from reach_regions($scope_kind, $scope_code) r
order by r.level, r.code;
