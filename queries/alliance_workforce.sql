-- Staff on the licensing registers at each alliance's member facilities in the selection, at the period's
-- last month, against the physicians the alliance has posted to them: registered physicians, nurses and
-- technicians of all members and of the primary ones (township, community, village), village doctors in
-- post and licensed, and the posted physicians (month-end stock) at the primary members.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_to.
-- Grain: one row per alliance with a member in the selection (members without a register row count 0,
-- and `reported` says how many members have one).
with members as (
    select m.alliance_code, s.facility_code, s.tier,
    from alliance_member m
    join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = m.facility_code
    where m.role = 'member'
      and date_trunc('month', m.joined) <= $month_to::date
      and ($alliance is null or m.alliance_code = $alliance)
),
staff as (
    select w.*,
    from workforce_register w
    where w.month = $month_to::date
),
posted as (
    select a.alliance_code, a.facility_code, a.posted_physicians,
    from alliance_activity a
    where a.month = $month_to::date
)
select
    al.code as alliance_code,
    al.name as alliance_name,
    al.kind,
    count(*) as members,
    count(w.facility_code) as reported,
    coalesce(sum(w.physicians), 0) as physicians,
    coalesce(sum(w.nurses), 0) as nurses,
    coalesce(sum(w.technicians), 0) as technicians,
    coalesce(sum(w.physicians) filter (where m.tier in ('township', 'community', 'village')), 0) as primary_physicians,
    coalesce(sum(w.village_doctors), 0) as village_doctors,
    coalesce(sum(w.village_doctors_licensed), 0) as village_doctors_licensed,
    coalesce(sum(p.posted_physicians) filter (where m.tier in ('township', 'community', 'village')), 0) as posted_physicians,
from members m
join alliance al on al.code = m.alliance_code
left join staff w on w.facility_code = m.facility_code
left join posted p on p.alliance_code = m.alliance_code and p.facility_code = m.facility_code
group by all
order by al.code;
