-- The coarser grains of indicator_fact, summed from fresh_indicator_fact (data/rollups.sql) for the months
-- being rebuilt: what a selection of the province, a city, a county or a town reads (macro place_facts in
-- data/scope_macros.sql) instead of the facility rows. Sums of the same rows, so every aggregation kind
-- (ratios, stocks, year to date) comes out as from the facility grain. Summed as exact decimals: a parallel
-- sum of doubles differs in its last bits from build to build. Stored by year, then place
-- (healthdash/data/build.py MONTHLY_ROLLUPS), so a period and a place each prune row groups.

-- Per county, tier and month: the province, a city or a county, listed by city or county.
create or replace table fresh_indicator_county_fact as
select indicator_code, month, city_code, county_code, tier,
    sum(numerator::decimal(38, 10))::double as numerator, sum(denominator::decimal(38, 10))::double as denominator,
from fresh_indicator_fact
group by all;

-- Per town, tier and month (town null for a county's own facilities and rows): a town, or any place
-- listed by town.
create or replace table fresh_indicator_town_fact as
select indicator_code, month, city_code, county_code, town_code, tier,
    sum(numerator::decimal(38, 10))::double as numerator, sum(denominator::decimal(38, 10))::double as denominator,
from fresh_indicator_fact
group by all;
