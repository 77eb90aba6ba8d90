-- Targets set for the years asked, at every level that can apply to a county in reach: national and
-- province rows for everyone, a city's or county's rows inside the jurisdiction, and the city's targets
-- for a county's account (they are its targets unless it set its own).
-- Parameters: $years (integers), $scope_kind, $scope_code. Grain: one row per level, place, indicator, year.
select
    t.level,
    t.place_code,
    t.indicator_code,
    t.year,
    t.target,
    t.loaded_by,
    t.loaded_at,
from appraisal_target t
where list_contains($years, t.year)
  and $scope_kind is not null
  and (t.level in ('national', 'province')
       or t.place_code in (select r.code from reach_regions($scope_kind, $scope_code) r)
       or (t.level = 'city' and t.place_code in (
           select r.parent_code from reach_regions($scope_kind, $scope_code) r where r.level = 'county')))
order by t.indicator_code, t.year, t.level, t.place_code;
