-- What every page view of an exhausted pool costs (docs/dni.md): each shared lease flags the
-- leases live on its number that are not yet shared, and stamps the number's state row.

-- Only a number's first lease since it was free is unshared, so the leases to flag are few; an
-- index over those alone spares the scan of every lease live on the number (about a hundred per
-- number when 10,000 visitors share 100 numbers). Shared leases, nearly all of them then, never
-- enter it.
create index dni_lease_unshared_idx on dni_lease (phone_number_id, expires_at) where not shared;

-- Every lease and heartbeat rewrites its number's state row (held_until, last_used_at, lease_id).
-- With no index on those columns the update is HOT: no new index entries, and the old versions
-- are pruned within the page, so the scans of a pool stay a page or two long. The pool's numbers
-- are few enough to sort in memory, least recently used first; room left free in each page keeps
-- the new versions beside the old.
drop index dni_pool_number_lru_idx;
create index dni_pool_number_pool_idx on dni_pool_number (pool_id);
alter table dni_pool_number set (fillfactor = 20);
