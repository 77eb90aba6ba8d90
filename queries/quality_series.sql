-- One unit's monthly series of one measure, to draw beside its flags: the value, the expected value
-- (the same calendar month's typical level) and the range the z-score threshold $z allows.
-- Parameters: $dataset, $measure, $unit_code, $alliance_code ('' when none); $z; $scope_kind, $scope_code
--             (jurisdiction: nothing for a unit outside it).
-- Grain: one row per month of the series.
select
    s.month,
    s.value,
    s.expected,
    greatest(s.expected - $z * s.spread, 0) as low,
    s.expected + $z * s.spread as high,
    s.z,
    s.last_year,
from quality_score s
where s.unit_code = $unit_code
  and s.dataset = $dataset
  and s.measure = $measure
  and s.alliance_code = $alliance_code
  and (s.unit_code in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
       or s.unit_code in (select r.code from reach_regions($scope_kind, $scope_code) r))
order by s.month;
