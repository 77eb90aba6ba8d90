-- The structure of one alliance: its lead and every member that had joined by the end of the period,
-- with where each sits. The whole alliance, whatever places the selection narrows to.
-- Members outside the account's jurisdiction are left out.
-- Parameters: $alliance; $month_to (last month of the period); $scope_kind, $scope_code (jurisdiction).
-- Grain: one row per member facility (the lead included, role 'lead').
select
    m.facility_code,
    g.facility_name,
    g.tier,
    case when m.facility_code = a.lead_facility then 'lead' else m.role end as role,
    m.joined,
    county.name as county_name,
    town.name as town_name,
from alliance_member m
join alliance a on a.code = m.alliance_code
join facility_geo g on g.facility_code = m.facility_code
left join region county on county.code = g.county_code
left join region town on town.code = g.town_code
where m.alliance_code = $alliance
  and m.joined <= last_day($month_to::date)
  and $alliance in (select r.code from reach_alliances($scope_kind, $scope_code) r)
  and (reach_place($scope_kind, $scope_code, g.city_code, g.county_code)
       or reach_facility($scope_kind, $scope_code, g.facility_code))
order by
    case when m.facility_code = a.lead_facility then 0 else 1 end,
    case g.tier when 'tertiary' then 1 when 'county' then 2 when 'community' then 3 when 'township' then 4
        when 'village' then 5 else 6 end,
    g.facility_name;
