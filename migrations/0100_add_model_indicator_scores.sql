-- Optional model scoring of indicators (src/modules/indicators/model-scoring.ts, ANALYSIS_*): a
-- chat model's score and quoted evidence beside each rule score, and how the model's turn went.
alter table call_indicator_score add column model_score integer check (model_score between 0 and 100);
alter table call_indicator_score add column model_quote text;

-- done, failed (model_error says why) or null (no model configured, or no transcript to read)
alter table call_analysis add column model_status text check (model_status in ('done', 'failed'));
alter table call_analysis add column model_error text;
