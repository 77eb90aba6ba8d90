-- Every follow-up mark of one flag, newest first: the audit trail of who marked what when.
-- Parameters: $check_id, $dataset, $measure, $unit_code, $alliance_code ('' when none), $month;
--             $scope_kind, $scope_code (jurisdiction: nothing for a unit outside it).
-- Grain: one row per mark.
select
    m.mark_id,
    m.status,
    m.comment,
    m.value_at_mark,
    m.marked_by,
    m.marked_at,
from quality_mark m
where m.check_id = $check_id
  and m.dataset = $dataset
  and m.measure = $measure
  and m.unit_code = $unit_code
  and m.alliance_code = $alliance_code
  and m.month = $month::date
  and (m.unit_code in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
       or m.unit_code in (select r.code from reach_regions($scope_kind, $scope_code) r))
order by m.marked_at desc, m.mark_id desc;
