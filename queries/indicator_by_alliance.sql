-- Alliance-work indicators (staff sent down, expert clinics, remote consultations, imaging quality, ...)
-- of each alliance, over the period, within the selected places and tiers: the numerators and
-- denominators its members carry in indicator_fact under that alliance. The alliance filter is not
-- applied, so that every alliance of the selection can be compared side by side.
-- Parameters: $city, $county, $town, $tiers, $scope_kind, $scope_code (scope); $codes; $month_from, $month_to.
-- Grain: one row per alliance and indicator with data.
select
    f.alliance_code,
    f.indicator_code,
    sum(f.numerator) as numerator,
    sum(f.denominator) as denominator,
from scoped_facts($city, $county, $town, null, $tiers, $scope_kind, $scope_code) f
where f.alliance_code is not null
  and list_contains($codes, f.indicator_code)
  and f.month between $month_from::date and $month_to::date
group by all
order by f.alliance_code, f.indicator_code;
