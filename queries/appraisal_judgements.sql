-- Officials' judgements of the qualitative monitoring items, newest first, for the counties in reach.
-- Parameters: $counties (county codes), $years (integers), $scope_kind, $scope_code.
-- Grain: one row per judgement (the newest of a county, year and item is its state).
with reachable as (
    select r.code, r.name,
    from reach_regions($scope_kind, $scope_code) r
    where r.level = 'county'
)
select
    j.judgement_id,
    j.county_code,
    r.name as county_name,
    j.year,
    j.item_code,
    j.met,
    j.evidence,
    j.note,
    j.recorded_by,
    j.recorded_at,
from appraisal_judgement j
join reachable r on r.code = j.county_code
where list_contains($counties, j.county_code)
  and list_contains($years, j.year)
order by j.county_code, j.year, j.item_code, j.judgement_id desc;
