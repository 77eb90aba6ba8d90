-- Jurisdictions for the sample accounts of a demo: one county with a county medical community (the one
-- with the most members), its city, that community, and one of its township health centres (else its lead).
-- Parameters: none. Grain: one row (none when the database has no county medical community).
with
communities as (
    select
        a.code as alliance_code,
        a.home_region as county_code,
        a.lead_facility,
        count(m.facility_code) as members,
    from alliance a
    join region county on county.code = a.home_region and county.level = 'county' and county.in_scope
    join alliance_member m on m.alliance_code = a.code
    where a.kind = 'county_community'
    group by all
),
chosen as (
    select c.*,
    from communities c
    order by c.members desc, c.alliance_code
    limit 1
),
township as (
    select min(m.facility_code) as facility_code,
    from alliance_member m
    join facility f on f.code = m.facility_code
    join chosen c on c.alliance_code = m.alliance_code
    where f.tier = 'township'
)
select
    county.parent_code as city_code,
    c.county_code,
    c.alliance_code,
    coalesce(t.facility_code, c.lead_facility) as facility_code,
from chosen c
join region county on county.code = c.county_code
cross join township t;
