-- The alliances one facility belongs to (joined by the end of the period), its role in each, and
-- each alliance's lead and size.
-- Parameters: $facility; $month_to (last month of the period); $scope_kind, $scope_code (jurisdiction: nothing for a facility outside it).
-- Grain: one row per alliance.
with sizes as (
    select m.alliance_code, count(*) - 1 as members,
    from alliance_member m
    where m.joined <= last_day($month_to::date)
    group by all
)
select
    a.code as alliance_code,
    a.name as alliance_name,
    a.kind,
    a.integration,
    case when a.lead_facility = $facility then 'lead' else m.role end as role,
    m.joined,
    a.lead_facility,
    lead.name as lead_name,
    coalesce(s.members, 0) as members,
from alliance_member m
join alliance a on a.code = m.alliance_code
left join facility lead on lead.code = a.lead_facility
left join sizes s on s.alliance_code = a.code
where m.facility_code = $facility
  and $facility in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
  and m.joined <= last_day($month_to::date)
order by case when a.lead_facility = $facility then 0 else 1 end, a.code;
