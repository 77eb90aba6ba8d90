-- The counties an appraisal covers: those of the selected city or county, or the county an alliance serves,
-- inside the jurisdiction. Parameters: $city, $county, $alliance, $scope_kind, $scope_code.
-- Grain: one row per county.
select
    r.code as county_code,
    r.name as county_name,
    r.parent_code as city_code,
from reach_regions($scope_kind, $scope_code) r
where r.level = 'county'
  and ($city is null or r.parent_code = $city)
  and ($county is null or r.code = $county)
  and ($alliance is null or r.code in (select a.home_region from alliance a where a.code = $alliance))
order by r.code;
