-- Facilities a profile can be opened for, with their county and city for the searchable picker:
-- the facilities of the selected places and tiers (alliance filter ignored), in place order.
-- Parameters: $city, $county, $town, $tiers, $scope_kind, $scope_code (scope).
-- Grain: one row per facility.
select
    s.facility_code,
    s.facility_name,
    s.tier,
    county.name as county_name,
    city.name as city_name,
from scoped_facilities($city, $county, $town, null, $tiers, $scope_kind, $scope_code) s
left join region county on county.code = s.county_code
left join region city on city.code = s.city_code
order by
    s.city_code,
    s.county_code,
    case s.tier when 'tertiary' then 1 when 'county' then 2 when 'community' then 3 when 'township' then 4
        when 'village' then 5 else 6 end,
    s.facility_name;
