-- Every load and undo recorded in import_batch, newest first, for the data page's history.
-- Parameters: none. Grain: one row per batch (a loaded file, or an undo).
with batches as (
    select batch_id, loaded_at, source_file, checksum, rows_by_table, loaded_by, outcome,
    from import_batch
)
select
    batch_id,
    loaded_at,
    source_file,
    checksum,
    rows_by_table,
    loaded_by,
    outcome,
from batches
order by batch_id desc;
