"""医联体运行监测看板. Layers, lowest first: core, data, ingest and access, the domains' data, ui, the domains'
charts, reports, the domains' views; pages on top. CONTRIBUTING.md says where a new piece goes."""
