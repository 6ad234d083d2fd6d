-- Image bytes, stored once per tenant under their SHA-256 (hex); events name them by it.
-- Source data like the events (a rebuild of the read models never touches it).
CREATE TABLE media
(
    tenant TEXT  NOT NULL,
    media  TEXT  NOT NULL,
    bytes  BYTEA NOT NULL,
    PRIMARY KEY (tenant, media)
);
