-- Every scoped query joins org_group on `path @> array[$scope]`, and the planner reads how many
-- groups that is from the table's statistics. A small tree (under 50 groups) never reaches
-- autovacuum's default threshold, so it is never analysed and the planner assumes one group:
-- a transcript search for two common words then sorted every call in scope instead of walking
-- them newest first (docs/performance.md, transcript search). Analyse it after a few changes.
alter table org_group set (autovacuum_analyze_threshold = 5, autovacuum_analyze_scale_factor = 0.05);
