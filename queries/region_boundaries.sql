-- Outlines of the places in view, for the map: the regions of $codes within the jurisdiction (macro
-- reach_regions) joined by administrative code to their boundary, simplified for the map's extent.
-- Parameters: $scope_kind, $scope_code (jurisdiction); $codes (region codes in view);
--             $extent: 'city' | 'province' (which simplification; a value compared, never spliced).
-- Grain: one row per region in view that has a boundary.
with in_view as (
    select r.code, r.name, r.adcode,
    from reach_regions($scope_kind, $scope_code) r
    where list_contains($codes, r.code)
)
select
    v.code as place_code,
    v.name as place_name,
    v.adcode,
    case $extent when 'province' then b.shape_province else b.shape_city end as shape,
    b.source,
    b.approval,
from in_view v
join region_boundary b on b.adcode = v.adcode
order by v.code;
