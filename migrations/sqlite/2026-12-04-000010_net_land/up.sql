-- 净地 (《闲置土地处置办法》 Art. 21): the conditions the bureau attests on a parcel before
-- supplying it — rights_clear, resettled, undisputed — as a comma-separated list like
-- infrastructure. Parcels already on the register start with none on record; supplies already
-- made are not re-examined.
ALTER TABLE parcels ADD COLUMN clearances TEXT NOT NULL DEFAULT '';
