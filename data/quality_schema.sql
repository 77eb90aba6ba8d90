-- Data quality (issue 20): the base tables of who reported what and when, and what data officers record.
-- Written once by every build after schema.sql and run again before every rollup rebuild, so a database
-- built before these tables existed gains them on its next load (every statement is "if not exists").
-- Keys use '' for "no alliance" so that they compare with = (a null never equals anything).

-- When each facility opened and closed (registry dates; null: before the data / still open). A facility
-- owes its monthly reports from the month it opened to the month it closed, both included.
create table if not exists facility_dates (
    facility_code varchar primary key,
    opened date,
    closed date,
);

-- Every delivery of a monthly report: one row per load (batch) and reporting unit and month. The first
-- delivery of a unit's month decides whether it came in on time; later ones are corrections.
create table if not exists report_receipt (
    dataset varchar not null,         -- a table of columns.py: service_volume, public_health, ...
    unit_code varchar not null,       -- facility, town or county code, after the dataset's reporting unit
    alliance_code varchar not null,   -- '' unless the dataset is reported per alliance member
    month date not null,
    batch_id integer,                 -- import_batch of the load; null for the demo's simulated deliveries
    received_at timestamp not null,
    source varchar not null check (source in ('load', 'simulated')),
);

-- Months a unit owes no report although the registry says it does (renovation, merger, a dataset the
-- facility does not keep), recorded by a data officer. Withdrawn exceptions stay, for the audit trail.
create table if not exists report_exception (
    exception_id integer primary key,
    unit_code varchar not null,
    dataset varchar,                  -- null: every dataset the unit owes
    month_from date not null,
    month_to date not null,
    reason varchar not null,
    recorded_by varchar not null,
    recorded_at timestamp not null,
    withdrawn_by varchar,
    withdrawn_at timestamp,
    check (month_from <= month_to),
);

-- Follow-up marks on quality flags, one row per marking (the newest row of a flag is its state). Keyed
-- by what the flag is about, never by a load or a row id, so a mark outlives reloads of any data.
create table if not exists quality_mark (
    mark_id integer primary key,
    check_id varchar not null,        -- 'zscore', 'jump', 'bounds' or a rule_id of validation_rules.csv
    dataset varchar not null,
    measure varchar not null,         -- the measure of an outlier; a rule's row key (service, setting) or ''
    unit_code varchar not null,
    alliance_code varchar not null,
    month date not null,
    status varchar not null check (status in ('verified', 'to_correct', 'corrected')),
    comment varchar not null,
    value_at_mark double,             -- the flagged value when it was marked: a later reload may change it
    marked_by varchar not null,
    marked_at timestamp not null,
);

-- Every value of the measures checked for outliers, scored (data/quality_flags.sql writes it; created empty
-- here so that the first build's scoring can read back "the scores before", of which there are none).
create table if not exists quality_score (
    dataset varchar,
    measure varchar,
    unit_code varchar,
    alliance_code varchar,
    month date,
    value double,
    shock double,
    base double,
    ratio double,
    residual double,
    expected double,
    spread double,
    z double,
    last_year double,
);
