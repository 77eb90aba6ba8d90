-- 监测与考核 (issue 23): officials' judgements of the qualitative monitoring items and the targets a
-- province, city or county sets for a year. Both are written from the dashboard (healthdash/data/appraisal.py
-- through healthdash.ingest.loader.write), kept across loads and rebuilds, and read scoped like any figure.

-- One row per judgement; the newest row of a county, year and item is its state, the older ones its history.
create table if not exists appraisal_judgement (
    judgement_id integer primary key,
    county_code varchar not null,
    year integer not null,
    item_code varchar not null,       -- a qualitative item of healthdash/core/monitoring.py
    met boolean not null,
    evidence varchar not null,        -- the evidence documents' names, one per line
    note varchar not null,
    recorded_by varchar not null,
    recorded_at timestamp not null,
);

-- Targets per indicator, place and year. level national / province (place_code ''), city or county; the
-- most specific level present for a county and year is its target (county > city > province > national,
-- then the catalog's default).
create table if not exists appraisal_target (
    level varchar not null check (level in ('national', 'province', 'city', 'county')),
    place_code varchar not null,
    indicator_code varchar not null,
    year integer not null,
    target double not null,           -- in the indicator's unit (90 for 90%)
    loaded_by varchar not null,
    loaded_at timestamp not null,
    primary key (level, place_code, indicator_code, year),
);

-- Scoring schemes a commission uploaded from the page (the TOML text, checked whole before it is stored).
-- A retired scheme keeps its row (the rules a past ranking used) and frees its name for a new upload.
create table if not exists appraisal_scheme (
    scheme_id integer primary key,
    name varchar not null,            -- unique among the schemes not retired (healthdash/data/appraisal.py)
    file_name varchar not null,
    text varchar not null,
    uploaded_by varchar not null,
    uploaded_at timestamp not null,
    retired_by varchar,
    retired_at timestamp,
);

-- Which scheme is active: one row per choice, the newest is the active one. scheme_key is 'preset:<file
-- stem>' (data/appraisal_schemes) or 'upload:<scheme_id>'. No row: none is active (nothing is ranked).
create table if not exists appraisal_scheme_choice (
    choice_id integer primary key,
    scheme_key varchar not null,
    chosen_by varchar not null,
    chosen_at timestamp not null,
);
