-- Facilities an account's jurisdiction covers (macro reach_facilities of data/rollups.sql): every facility
-- for the province (those outside the monitored places too), the facilities of a city's or county's
-- regions, an alliance's members (whenever they joined), or the one facility. A scope naming a region of
-- another level, or one outside the monitored places, covers nothing: deny by default.
-- Parameters: $scope_kind ('province', 'city', 'county', 'alliance', 'facility'; null: no jurisdiction),
-- $scope_code (the region, alliance or facility code; null for the province).
-- Grain: one row per facility.
select
    g.facility_code,
    g.facility_name,
    g.tier,
    g.town_code,
    g.county_code,
    g.city_code,
from reach_facilities($scope_kind, $scope_code) g
order by g.facility_code;
