-- The direction a referral between two facilities must have, by the referral_direction rule of
-- data/macros.sql (the rule the demo generator follows too). Reads the table `pairs`
-- (from_facility, to_facility) registered by the load validator (healthdash/validate.py).
-- Parameters: none. Grain: one row per distinct pair whose two facilities exist; direction is null where
-- the rule allows no referral (same tier in the same place, or a tier that does not refer).
with pairs_in as (
    select distinct from_facility, to_facility,
    from pairs
)
select
    p.from_facility,
    p.to_facility,
    referral_direction(s, r) as direction,
from pairs_in p
join facility_geo s on s.facility_code = p.from_facility
join facility_geo r on r.facility_code = p.to_facility;
