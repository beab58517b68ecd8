-- Active parcels in id order, index-only: the first page's count and the first id of a page at
-- an offset read this instead of the table (issue 16, docs/performance.md).
CREATE INDEX parcels_active_id ON parcels (id) WHERE status <> 'retired';
