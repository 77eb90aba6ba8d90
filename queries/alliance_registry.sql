-- Alliances of the selection: every alliance founded by the end of the period with at least one member
-- inside the selected places and tiers, its lead, the place it serves and its members by tier. The
-- alliance filter is not applied: the registry is the list an alliance is picked from.
-- Members are counted as they stood at the end of the period (joined by then), the lead not included.
-- Parameters: $city, $county, $town, $tiers, $scope_kind, $scope_code (scope); $month_to (last month of the period); $kinds and
--             $integrations (lists of the alliance kinds and integration levels to keep).
-- Grain: one row per alliance.
with members as (
    select
        m.alliance_code,
        m.facility_code,
        g.tier,
    from alliance_member m
    join facility_geo g on g.facility_code = m.facility_code
    where m.joined <= last_day($month_to::date)
),
listed as (
    select distinct m.alliance_code,
    from members m
    join scoped_facilities($city, $county, $town, null, $tiers, $scope_kind, $scope_code) s on s.facility_code = m.facility_code
),
tier_counts as (
    select
        m.alliance_code,
        count(*) as members,
        count(*) filter (where m.tier = 'tertiary') as tertiary_members,
        count(*) filter (where m.tier = 'county') as county_members,
        count(*) filter (where m.tier = 'township') as township_members,
        count(*) filter (where m.tier = 'community') as community_members,
        count(*) filter (where m.tier = 'village') as village_members,
        count(*) filter (where m.tier = 'public_health') as public_health_members,
    from members m
    join alliance a on a.code = m.alliance_code
    where m.facility_code <> a.lead_facility
    group by all
)
select
    a.code,
    a.name,
    a.kind,
    a.integration,
    a.lead_facility,
    lead.facility_name as lead_name,
    lead.tier as lead_tier,
    a.home_region,
    home.name as home_name,
    a.founded,
    coalesce(c.members, 0) as members,
    coalesce(c.tertiary_members, 0) as tertiary_members,
    coalesce(c.county_members, 0) as county_members,
    coalesce(c.township_members, 0) as township_members,
    coalesce(c.community_members, 0) as community_members,
    coalesce(c.village_members, 0) as village_members,
    coalesce(c.public_health_members, 0) as public_health_members,
from alliance a
join listed l on l.alliance_code = a.code
left join tier_counts c on c.alliance_code = a.code
left join facility_geo lead on lead.facility_code = a.lead_facility
left join region home on home.code = a.home_region
where a.founded <= last_day($month_to::date)
  and list_contains($kinds, a.kind)
  and list_contains($integrations, a.integration)
order by
    case a.kind when 'city_group' then 1 when 'county_community' then 2 when 'specialty' then 3 else 4 end,
    a.code;
