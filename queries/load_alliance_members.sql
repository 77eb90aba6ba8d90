-- Alliances and their member facilities, for the load validator and the template's code sheets
-- (healthdash/validate.py, healthdash/template.py). An alliance without members still has one row,
-- with a null facility_code.
-- Parameters: none. Grain: one row per alliance and member facility.
with members as (
    select alliance_code, facility_code, role,
    from alliance_member
)
select
    a.code as alliance_code,
    a.name as alliance_name,
    a.kind,
    a.integration,
    lead.name as lead_name,
    home.name as home_name,
    m.facility_code,
    f.name as facility_name,
    m.role,
from alliance a
left join members m on m.alliance_code = a.code
left join facility f on f.code = m.facility_code
left join facility lead on lead.code = a.lead_facility
left join region home on home.code = a.home_region
order by alliance_code, m.role, m.facility_code;
