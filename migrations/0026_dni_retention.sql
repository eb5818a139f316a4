-- DNI retention (src/modules/dni/dni-retention.ts) deletes the visits whose leases are all gone.
-- Deleting a visit makes PostgreSQL look for its leases (ON DELETE CASCADE), once per visit, and
-- the job asks the same question first: without an index on dni_lease.visit_id each answer is a
-- scan of every lease. It costs the lease statement one more index entry per new lease and per
-- heartbeat (a heartbeat moves expires_at, which other indexes cover, so it is never HOT anyway).
-- On an existing database the build holds writes to dni_lease for as long as it takes; to avoid
-- that, create it beforehand with `create index concurrently dni_lease_visit_idx on dni_lease
-- (visit_id)` (outside a transaction), and this migration leaves it be.
create index if not exists dni_lease_visit_idx on dni_lease (visit_id);
