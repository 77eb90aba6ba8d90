"""Rules with no screen and no database: the selection, indicator arithmetic, what applies where, number
formatting, the one wording of targets and changes, inert text, tables as files, paths, UI strings."""
