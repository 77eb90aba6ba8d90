-- Staff on the licensing registers per tier of the facilities of the selection at the period's last month:
-- facilities on the register, physicians, nurses, technicians, village doctors in post and licensed.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_to.
-- Grain: one row per tier with register rows that month.
select
    s.tier,
    count(*) as facilities,
    sum(w.physicians) as physicians,
    sum(w.nurses) as nurses,
    sum(w.technicians) as technicians,
    sum(w.village_doctors) as village_doctors,
    sum(w.village_doctors_licensed) as village_doctors_licensed,
from workforce_register w
join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = w.facility_code
where w.month = $month_to::date
group by s.tier
order by case s.tier when 'tertiary' then 1 when 'county' then 2 when 'township' then 3 when 'community' then 4
    when 'village' then 5 else 6 end;
