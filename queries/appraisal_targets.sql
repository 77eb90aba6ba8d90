-- Targets set for the years asked, at every level that can apply to a county in reach: national and
-- province rows for everyone, a city's or county's rows only inside the jurisdiction.
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
       or t.place_code in (select r.code from reach_regions($scope_kind, $scope_code) r))
order by t.indicator_code, t.year, t.level, t.place_code;
