-- Parcels of one status in id order, index-only: the count of a listing by status and the first
-- id of its page at an offset read this instead of walking every active parcel and reading
-- each one's status (a page at offset 30,000 of 40,000 available parcels: issue 16,
-- docs/performance.md, "Deep pages").
CREATE INDEX parcels_status_id ON parcels (status, id);
