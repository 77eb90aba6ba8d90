-- Jurisdiction and selection macros over the rollups: every page query starts from one of these. Run after
-- the rollups exist (healthdash/data/build.py), since a macro is bound to the tables it reads.

-- The selected place (null: any): a row of a city, a county or a town in it. The one place filter of
-- every scoped_* macro; a county's row has no town, so selecting a town leaves it out.
create or replace macro in_place(p_city, p_county, p_town, city_code, county_code, town_code) as
    (p_city is null or city_code = p_city)
    and (p_county is null or county_code = p_county)
    and (p_town is null or town_code = p_town);

-- The tier filter (tertiary … village) chooses among medical facilities; public-health institutions (CDCs,
-- the pathogen network's members) belong to no such tier and count under every choice.
create or replace macro in_tiers(p_tiers, tier) as
    tier is null or tier = 'public_health' or list_contains(p_tiers, tier);

-- A tier filter that leaves every medical tier in (healthdash/core/filters.py TIERS): a choice that
-- excludes nothing, which totals of every tier together (indicator_town_running) answer.
create or replace macro every_tier(p_tiers) as
    list_has_all(p_tiers, ['tertiary', 'county', 'township', 'community', 'village']);

-- Jurisdictions (healthdash/access/scope.py): what an account may read, decided here so that every
-- page query applies it with the account's bound $scope_kind and $scope_code. A null kind reads nothing.
-- A place's rows (its totals, its facilities) are in reach of the province and of its own city or county;
-- an alliance reaches its members' rows, a facility its own. Never the totals above the account's level.
create or replace macro reach_place(p_kind, p_code, city_code, county_code) as
    p_kind = 'province'
    or (p_kind = 'city' and city_code = p_code)
    or (p_kind = 'county' and county_code = p_code);

create or replace macro reach_facility(p_kind, p_code, facility_code) as
    (p_kind = 'facility' and facility_code = p_code)
    or (p_kind = 'alliance' and facility_code in (
        select m.facility_code from alliance_member m where m.alliance_code = p_code));

-- Facilities a jurisdiction covers, with their places: the province's are all of them (those outside the
-- monitored places too); a city's or county's only inside the monitored places.
create or replace macro reach_facilities(p_kind, p_code) as table
select g.*
from facility_geo g
where p_kind = 'province'
   or (g.in_scope and reach_place(p_kind, p_code, g.city_code, g.county_code))
   or reach_facility(p_kind, p_code, g.facility_code);

-- Regions a jurisdiction covers: every monitored region for the province, a city or county and every
-- region below it. An alliance or a facility covers none (never a place's totals); a code of another
-- level, or outside the monitored places, covers nothing.
create or replace macro reach_regions(p_kind, p_code) as table
select r.*
from region r
left join region parent on parent.code = r.parent_code
left join region grand on grand.code = parent.parent_code
where r.in_scope
  and (p_kind = 'province'
       or (p_kind in ('city', 'county') and p_code in (r.code, parent.code, grand.code)
           and p_kind = case p_code when r.code then r.level when parent.code then parent.level
                                    else grand.level end));

-- Alliances a jurisdiction covers: all for the province; for a city or county those whose home region
-- is in it; an alliance itself; a facility none (an alliance's figures are its members' together).
create or replace macro reach_alliances(p_kind, p_code) as table
select a.*
from alliance a
where p_kind = 'province'
   or (p_kind in ('city', 'county') and a.home_region in (select r.code from reach_regions(p_kind, p_code) r))
   or (p_kind = 'alliance' and a.code = p_code);

-- The scope every page query starts from: indicator rows inside the selected places, tiers and
-- alliance, and inside the account's jurisdiction. Region-level rows (no facility) ignore the tier
-- filter and, for an alliance, follow the place the alliance serves (alliance_fact); an alliance's
-- account reads all of its own alliance's rows. One branch per case of p_alliance: its value is known
-- when a query is planned, so the branch that cannot apply is dropped.
create or replace macro scoped_facts(p_city, p_county, p_town, p_alliance, p_tiers, p_kind, p_code) as table
select f.*
from indicator_fact f
where p_alliance is null
  and in_place(p_city, p_county, p_town, f.city_code, f.county_code, f.town_code)
  and in_tiers(p_tiers, f.tier)
  and (reach_place(p_kind, p_code, f.city_code, f.county_code) or reach_facility(p_kind, p_code, f.facility_code))
union all
select f.* exclude (scope_alliance)
from alliance_fact f
where f.scope_alliance = p_alliance
  and in_place(p_city, p_county, p_town, f.city_code, f.county_code, f.town_code)
  and in_tiers(p_tiers, f.tier)
  and (reach_place(p_kind, p_code, f.city_code, f.county_code) or reach_facility(p_kind, p_code, f.facility_code)
       or (p_kind = 'alliance' and p_alliance = p_code));

-- The coarsest grain of the indicator facts that answers a selection: 'county' (indicator_county_fact),
-- 'town' (indicator_town_fact) or 'facility' (scoped_facts). An alliance reads its own rows and a facility's
-- account only its own, so both read the facility rows; so does a query that groups by facility. A town
-- selected, or a query that groups by town (p_finest, the finest level the query groups by: 'city',
-- 'county', 'town' or 'facility'), reads the town grain; any other place selection the county grain.
create or replace macro fact_grain(p_town, p_alliance, p_kind, p_finest) as
    case
        when p_alliance is not null or p_kind not in ('province', 'city', 'county') or p_finest = 'facility'
            then 'facility'
        when p_town is not null or p_finest = 'town' then 'town'
        else 'county'
    end;

-- A query listing towns reads their running totals (indicator_town_running, every tier together) when the
-- selection keeps every tier and no alliance and the account is a place's: the same figures as summing
-- the town grain's months, from two rows per town and indicator.
create or replace macro town_running(p_alliance, p_tiers, p_kind, p_level) as
    p_level = 'town' and p_alliance is null and p_kind in ('province', 'city', 'county') and every_tier(p_tiers);

-- The selection's facts at the grain fact_grain picks: the same columns at every grain (town and facility
-- null where the grain has none). The branches not taken are a constant false, so they read nothing.
create or replace macro place_facts(p_city, p_county, p_town, p_alliance, p_tiers, p_kind, p_code, p_finest) as table
select c.indicator_code, c.month, c.city_code, c.county_code, null::varchar as town_code,
    null::varchar as facility_code, c.tier, c.numerator, c.denominator,
from indicator_county_fact c
where fact_grain(p_town, p_alliance, p_kind, p_finest) = 'county'
  and in_place(p_city, p_county, null, c.city_code, c.county_code, null)
  and in_tiers(p_tiers, c.tier)
  and reach_place(p_kind, p_code, c.city_code, c.county_code)
union all
select t.indicator_code, t.month, t.city_code, t.county_code, t.town_code, null::varchar as facility_code, t.tier,
    t.numerator, t.denominator,
from indicator_town_fact t
where fact_grain(p_town, p_alliance, p_kind, p_finest) = 'town'
  and in_place(p_city, p_county, p_town, t.city_code, t.county_code, t.town_code)
  and in_tiers(p_tiers, t.tier)
  and reach_place(p_kind, p_code, t.city_code, t.county_code)
union all
select f.indicator_code, f.month, f.city_code, f.county_code, f.town_code, f.facility_code, f.tier, f.numerator,
    f.denominator,
from scoped_facts(p_city, p_county, p_town, p_alliance, p_tiers, p_kind, p_code) f
where fact_grain(p_town, p_alliance, p_kind, p_finest) = 'facility';

-- Facilities inside the selection and the jurisdiction, for page queries over facility-level rollups. counted_from is the
-- first month a facility's rows count: for an alliance, the later of its founding and the member's
-- joining (as in alliance_fact); otherwise every month.
create or replace macro scoped_facilities(p_city, p_county, p_town, p_alliance, p_tiers, p_kind, p_code) as table
select g.*, coalesce(m.first_month, date '1900-01-01') as counted_from,
from facility_geo g
left join (
    select m.facility_code,
        greatest(min(date_trunc('month', m.joined)), any_value(date_trunc('month', a.founded)))::date as first_month,
    from alliance_member m
    join alliance a on a.code = m.alliance_code
    where m.alliance_code = p_alliance
    group by all
) m on m.facility_code = g.facility_code
where g.in_scope
  and in_place(p_city, p_county, p_town, g.city_code, g.county_code, g.town_code)
  and in_tiers(p_tiers, g.tier)
  and (p_alliance is null or m.facility_code is not null)
  and (reach_place(p_kind, p_code, g.city_code, g.county_code) or reach_facility(p_kind, p_code, g.facility_code));
