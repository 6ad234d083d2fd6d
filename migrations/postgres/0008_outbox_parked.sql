-- Outbox rows the relay could not publish (an event larger than NATS's max_payload, say,
-- appended by an earlier build or under a larger limit). The relay parks such a row here
-- and goes on, so one row never holds back every later event; the projectors read the
-- event from the store when they fill the gap it leaves. `folio outbox list|retry|skip`
-- deals with parked rows; the command-api's /readyz fails while any exist.
CREATE TABLE outbox_parked
(
    position       BIGINT PRIMARY KEY NOT NULL,
    aggregate_type TEXT               NOT NULL,
    aggregate_id   TEXT               NOT NULL,
    sequence       BIGINT             NOT NULL,
    tenant         TEXT               NOT NULL,
    event_type     TEXT               NOT NULL,
    bytes          BIGINT             NOT NULL,
    reason         TEXT               NOT NULL,
    parked_at      TIMESTAMPTZ        NOT NULL DEFAULT now()
);
