-- Quality flags of a selection and period at the chosen thresholds: outliers (zscore: unlike the same
-- month of other years; jump: against the same month last year; bounds: outside the declared range) and
-- broken validation rules, each with its value, the expected range and its latest follow-up mark.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code); $month_from, $month_to; $datasets;
--             $checks (check ids: 'zscore', 'jump', 'bounds', rule ids); $z (threshold, at least the
--             stored minimum); $jump (factor, likewise).
-- Grain: one row per flag (check, dataset, measure, unit, alliance, month).
select
    f.kind,
    f.level,
    f.check_id,
    f.dataset,
    f.measure,
    f.unit_kind,
    f.unit_code,
    pl.unit_name,
    f.alliance_code,
    f.tier,
    f.town_code,
    f.county_code,
    f.month,
    f.value,
    f.expected,
    case f.check_id
        when 'zscore' then greatest(f.expected - $z * f.spread, 0)
        when 'jump' then f.expected / $jump
        else f.low
    end as low,
    case f.check_id
        when 'zscore' then f.expected + $z * f.spread
        when 'jump' then f.expected * $jump
        else f.high
    end as high,
    f.score,
    f.mark_status,
    f.mark_comment,
    f.marked_by,
    f.marked_at,
    f.value_at_mark,
    f.changed_since_mark,
from scoped_flags($city, $county, $town, $alliance, $tiers, $month_from::date, $month_to::date, $scope_kind, $scope_code) f
join report_place pl on pl.unit_kind = f.unit_kind and pl.unit_code = f.unit_code
where list_contains($datasets, f.dataset)
  and list_contains($checks, f.check_id)
  and (f.check_id <> 'zscore' or abs(f.score) >= $z)
  and (f.check_id <> 'jump' or f.score >= $jump or f.score <= 1 / $jump)
order by f.month desc, f.county_code, f.unit_code, f.dataset, f.measure, f.check_id;
