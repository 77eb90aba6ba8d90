-- The facilities of $codes a profile can be opened for (the codes a link, the URL or the session asks the
-- picker for), inside the monitored places or not (a provincial hospital that only receives referrals still
-- has a profile link), with their county and city for the picker's labels. Only the facilities in the
-- account's jurisdiction: a code outside it is not returned.
-- Parameters: $codes (facility codes); $scope_kind, $scope_code (jurisdiction).
-- Grain: one row per facility of $codes found.
select
    g.facility_code,
    g.facility_name,
    g.tier,
    g.in_scope,
    county.name as county_name,
    city.name as city_name,
from reach_facilities($scope_kind, $scope_code) g
left join region county on county.code = g.county_code
left join region city on city.code = g.city_code
where list_contains($codes, g.facility_code)
order by g.facility_code;
