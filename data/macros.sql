-- Rules shared by the demo generator, the rollups and the load validator. Run by every build and by
-- rebuild_rollups, so an existing database always carries the current rules.

-- Rank of a facility tier in the referral ladder; null for tiers that do not refer (public health).
create or replace macro tier_rank(tier) as
    case tier
        when 'village' then 1
        when 'township' then 2
        when 'community' then 2
        when 'county' then 3
        when 'tertiary' then 4
    end;

-- The direction of a referral from `sender` to `receiver`, each a row (struct) with the columns of
-- facility_geo: tier, county_code, city_code, county_urban, in_scope. Call it as
--   referral_direction(s, r) ... join facility_geo s on ... join facility_geo r on ...
-- A rural county keeps what stays in the county; an urban district keeps what stays in its city (the
-- city's hospitals serve its districts). Leaving that place is 'out_of_county'; arriving from outside
-- it is 'returned'; inside, the tiers decide. Null means invalid (equal tiers inside the place).
create or replace macro referral_direction(sender, receiver) as
    case
        when sender.in_scope and not sender.county_urban and receiver.county_code <> sender.county_code
            then 'out_of_county'
        when sender.in_scope and sender.county_urban and receiver.city_code <> sender.city_code
            then 'out_of_county'
        when not receiver.county_urban and sender.county_code <> receiver.county_code then 'returned'
        when receiver.county_urban and sender.city_code <> receiver.city_code then 'returned'
        when tier_rank(receiver.tier) > tier_rank(sender.tier) then 'up'
        when tier_rank(receiver.tier) < tier_rank(sender.tier) then 'down'
    end;

-- Aggregations read at the period's last month only: a stock, or a sum the rollups already carry up to
-- each month (year to date, rolling window). Python's twin: indicators.PERIOD_END_AGGREGATIONS.
create or replace macro at_period_end(aggregation) as
    aggregation in ('stock_ratio', 'stock_count', 'ytd', 'rolling_coverage');
