-- Facilities a loaded file may name, for the load validator and the template's code sheet
-- (healthdash/validate.py, healthdash/template.py).
-- Parameters: none. Grain: one row per facility; facilities of the monitored places first.
with facilities as (
    select facility_code, facility_name, tier, town_code, county_code, in_scope,
    from facility_geo
)
select
    f.facility_code as code,
    f.facility_name as name,
    f.tier,
    f.in_scope,
    f.town_code,
    f.county_code,
    coalesce(town.name, county.name) as place_name,
    county.name as county_name,
from facilities f
left join region town on town.code = f.town_code
left join region county on county.code = f.county_code
order by f.in_scope desc, f.county_code, code;
