-- Alliances an account's jurisdiction covers (macro reach_alliances of data/rollups.sql): every alliance
-- for the province, those whose home region lies in a city's or county's, or the one alliance. A facility
-- covers none; a scope naming a region of another level, or one outside the monitored places, covers
-- nothing: deny by default.
-- Parameters: $scope_kind ('province', 'city', 'county', 'alliance', 'facility'; null: no jurisdiction),
-- $scope_code (the region, alliance or facility code; null for the province).
-- Grain: one row per alliance.
select
    a.code,
    a.name,
    a.kind,
    a.home_region,
from reach_alliances($scope_kind, $scope_code) a
order by a.code;
