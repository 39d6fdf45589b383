#include "adapters/migrations.h"

#include <array>

namespace outage {
namespace {

// The schema is described in docs/database.md; keep the two in step.
//
// Model tables are partitioned by model name: every saved model has its own partition of each
// table (named <table>_p<models.part>), so that a save loads fresh tables without indexes and
// builds the indexes once, and a replace drops the old partitions instead of deleting rows.
constexpr std::string_view kV1ModelTables = R"sql(
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE SEQUENCE outage.model_part_seq;

CREATE TABLE outage.models (
  name                text COLLATE "C" PRIMARY KEY,
  crs                 text NOT NULL,
  srid                integer NOT NULL,
  imported_at         timestamptz NOT NULL DEFAULT now(),
  bus_count           integer NOT NULL,
  element_count       integer NOT NULL,
  service_point_count integer NOT NULL,
  customer_count      integer NOT NULL,
  part                integer NOT NULL UNIQUE
);
COMMENT ON TABLE outage.models IS
  'One row per saved network model. part: suffix of the model''s partitions (buses_p<part>, ...).';

CREATE TABLE outage.buses (
  model text COLLATE "C" NOT NULL,
  ord   integer NOT NULL,
  id    text COLLATE "C" NOT NULL,
  kv    real NOT NULL DEFAULT 0,
  geom  geometry,
  PRIMARY KEY (id, model)
) PARTITION BY LIST (model);
COMMENT ON TABLE outage.buses IS
  'Electrical nodes. geom: POINT, NULL when the bus has no position. ord: position in the model. '
  'No spatial index: places are searched in service_points and elements.';

CREATE TABLE outage.elements (
  model         text COLLATE "C" NOT NULL,
  ord           integer NOT NULL,
  id            text COLLATE "C" NOT NULL,
  kind          text NOT NULL,
  phases        text NOT NULL,
  normally_open boolean NOT NULL DEFAULT false,
  bus1          text COLLATE "C" NOT NULL,
  bus2          text COLLATE "C",
  host          text COLLATE "C",
  length_m      real NOT NULL DEFAULT 0,
  kv            real NOT NULL DEFAULT 0,
  kv2           real NOT NULL DEFAULT 0,
  geom          geometry,
  vertices      geometry,
  PRIMARY KEY (id, model)
) PARTITION BY LIST (model);
CREATE INDEX elements_geom_idx ON outage.elements USING gist (geom);
COMMENT ON TABLE outage.elements IS
  'Sources, devices and branches. geom: LINESTRING bus1 -> vertices -> bus2 for branches, POINT at '
  'bus1 for sources and mounted devices (host set). vertices: MULTIPOINT of intermediate vertices '
  'of an element that is not a branch (rare), else NULL.';

CREATE TABLE outage.service_points (
  model  text COLLATE "C" NOT NULL,
  ord    integer NOT NULL,
  id     text COLLATE "C" NOT NULL,
  bus    text COLLATE "C" NOT NULL,
  phases text NOT NULL,
  kw     real NOT NULL DEFAULT 0,
  geom   geometry,
  PRIMARY KEY (id, model)
) PARTITION BY LIST (model);
CREATE INDEX service_points_geom_idx ON outage.service_points USING gist (geom);
COMMENT ON TABLE outage.service_points IS
  'Meters. geom: POINT, NULL when the service point has no position of its own.';

CREATE TABLE outage.customers (
  model          text COLLATE "C" NOT NULL,
  ord            integer NOT NULL,
  id             text COLLATE "C" NOT NULL,
  service_point  text COLLATE "C" NOT NULL,
  customer_class text NOT NULL,
  account        text,
  name           text,
  phone          text,
  address        text,
  PRIMARY KEY (id, model)
) PARTITION BY LIST (model);
COMMENT ON TABLE outage.customers IS
  'Customers behind service points. Empty text fields are NULL.';
)sql";

// The event journal (adapters/journal.h): every accepted event, in commit order, as received;
// and the dead letters, events that were valid JSON but could not be used. Append-only: rows
// are never updated or deleted by the program.
//
// seq has a unique B-tree: replay reads `WHERE seq > N ORDER BY seq` in chunks and the writer
// reads max(seq) in every transaction, which a B-tree answers from one leaf page and a BRIN
// index cannot (it has no order); seq only grows, so its insertions always go to the rightmost
// leaf page (cheap). event_time has a BRIN index: rows are appended in about event-time order,
// and the de-duplication index is loaded at start-up with `WHERE event_time >= now - window`.
// docs/database.md, "The event journal", has the measurements behind these choices.
constexpr std::string_view kV2Journal = R"sql(
CREATE TABLE outage.journal (
  seq         bigint NOT NULL,
  event_time  timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  source      text COLLATE "C" NOT NULL,
  event_id    text COLLATE "C" NOT NULL,
  type        text COLLATE "C" NOT NULL,
  body        text NOT NULL,
  PRIMARY KEY (source, event_id),
  CONSTRAINT journal_seq_key UNIQUE (seq)
);
CREATE INDEX journal_event_time_idx ON outage.journal USING brin (event_time);
COMMENT ON TABLE outage.journal IS
  'Accepted events, durable before they are acknowledged. seq: commit order (1, 2, 3, ...; '
  'strictly increasing, assigned by the writer). body: the event''s JSON exactly as received.';

CREATE TABLE outage.dead_letters (
  id          bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL,
  source      text COLLATE "C" NOT NULL,
  event_id    text COLLATE "C" NOT NULL,
  type        text COLLATE "C" NOT NULL,
  reason      text NOT NULL,
  body        text NOT NULL
);
COMMENT ON TABLE outage.dead_letters IS
  'Events that were valid JSON but could not be used (unknown meter, unknown gateway, ...), '
  'kept with the reason. source, event_id, type: empty when the event did not say.';
)sql";

// Small facts the daemon keeps between runs (the simulated clock's position, ...).
constexpr std::string_view kV3DaemonState = R"sql(
CREATE TABLE outage.daemon_state (
  key        text COLLATE "C" PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE outage.daemon_state IS
  'Facts the daemon keeps between runs. sim_clock: the simulated clock''s time (RFC 3339), so that a '
  'daemon restarted on a simulated clock resumes where POST /v1/clock left it.';
)sql";

// Fuzzy address search for the hotline (adapters/address_search.h): trigram similarity.
// pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
constexpr std::string_view kV4AddressSearch = R"sql(
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX customers_address_trgm ON outage.customers USING gin (address gin_trgm_ops);
)sql";

constexpr std::array kMigrations = {
    Migration{1, "model_tables", kV1ModelTables},
    Migration{2, "event_journal", kV2Journal},
    Migration{3, "daemon_state", kV3DaemonState},
    Migration{4, "address_search", kV4AddressSearch},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations.back().version; }

}  // namespace outage
