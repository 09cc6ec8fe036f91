-- briefbot's schema for SQLite. Times are unix microseconds (UTC); booleans are 0 or 1.

-- Articles: one row per canonical URL (or per content, when the URL is unknown).
CREATE TABLE articles (
    id          INTEGER PRIMARY KEY,
    -- The first article of the story this one is a near-duplicate of; NULL when it is the first
    -- (its story is then its own id).
    story_id    INTEGER,
    source      TEXT    NOT NULL,
    source_key  TEXT    NOT NULL,            -- lower-cased source, for source: filters
    url         TEXT    UNIQUE,              -- canonical URL; NULL when unknown
    published   INTEGER NOT NULL,
    first_seen  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    hash        TEXT    NOT NULL,            -- briefing.ContentHash of the body
    -- briefing.Fingerprint of the body (0: too short to have one) and its eight 8-bit bands,
    -- the keys under which near-duplicates are looked up.
    fingerprint INTEGER NOT NULL,
    band0 INTEGER, band1 INTEGER, band2 INTEGER, band3 INTEGER,
    band4 INTEGER, band5 INTEGER, band6 INTEGER, band7 INTEGER,
    body_start  INTEGER NOT NULL,
    headline    TEXT    NOT NULL,
    lede        TEXT    NOT NULL DEFAULT '',
    -- The text comes last: SQLite reads a row's columns in order, and the text often spills
    -- into overflow pages that the lookups of the columns above need not read.
    text        TEXT    NOT NULL,
    -- What the full-text index holds of the text: the first 100,000 characters.
    search_text TEXT GENERATED ALWAYS AS (substr(text, 1, 100000)) VIRTUAL
);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_source ON articles (source_key, published);
CREATE INDEX articles_hash ON articles (hash);
CREATE INDEX articles_band0 ON articles (band0, published, fingerprint);
CREATE INDEX articles_band1 ON articles (band1, published, fingerprint);
CREATE INDEX articles_band2 ON articles (band2, published, fingerprint);
CREATE INDEX articles_band3 ON articles (band3, published, fingerprint);
CREATE INDEX articles_band4 ON articles (band4, published, fingerprint);
CREATE INDEX articles_band5 ON articles (band5, published, fingerprint);
CREATE INDEX articles_band6 ON articles (band6, published, fingerprint);
CREATE INDEX articles_band7 ON articles (band7, published, fingerprint);

-- The full-text index: FTS5 over the articles table (external content), with Porter stemming.
-- The store writes it explicitly, at the end of each transaction that saves articles: FTS5
-- flushes its pending terms at every statement savepoint, so writing it row by row among the
-- other statements (as a trigger on articles would) makes bulk ingest several times slower.
-- Deleting an article keeps it in sync through the trigger.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    headline, search_text,
    content = 'articles', content_rowid = 'id',
    tokenize = 'porter unicode61'
);
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, headline, search_text)
    VALUES ('delete', old.id, old.headline, old.search_text);
END;

-- The quotes extracted at ingest, in document order.
CREATE TABLE quotes (
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    text          TEXT    NOT NULL,
    start_offset  INTEGER NOT NULL,
    end_offset    INTEGER NOT NULL,
    speaker       TEXT    NOT NULL,
    speaker_title TEXT    NOT NULL,
    cue           TEXT    NOT NULL,
    is_partial    INTEGER NOT NULL,
    is_key        INTEGER NOT NULL,
    score         REAL    NOT NULL,
    PRIMARY KEY (article_id, seq)
) WITHOUT ROWID;

-- The people quoted in each article; name_key and surname_key serve speaker: filters.
CREATE TABLE speakers (
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    quotes      INTEGER NOT NULL,
    name_key    TEXT    NOT NULL,
    surname_key TEXT    NOT NULL,
    PRIMARY KEY (article_id, seq)
) WITHOUT ROWID;
CREATE INDEX speakers_name ON speakers (name_key);
CREATE INDEX speakers_surname ON speakers (surname_key);

-- Named topic queries.
CREATE TABLE topics (
    name        TEXT    PRIMARY KEY,
    query       TEXT    NOT NULL,
    from_config INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Which channel receives which topic, and when.
CREATE TABLE subscriptions (
    id          INTEGER PRIMARY KEY,
    platform    TEXT    NOT NULL,
    channel_id  TEXT    NOT NULL,
    topic       TEXT    NOT NULL,
    schedule    TEXT    NOT NULL,
    timezone    TEXT    NOT NULL,
    stories     INTEGER NOT NULL,
    skip_empty  INTEGER NOT NULL DEFAULT 0,
    thread      INTEGER NOT NULL DEFAULT 0,
    from_config INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL DEFAULT '',
    UNIQUE (platform, channel_id, topic)
);

-- The delivery ledger: one row per slot (a subscription's scheduled firing).
CREATE TABLE slots (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    slot_at         INTEGER NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('claimed', 'delivered', 'skipped', 'failed')),
    owner           TEXT    NOT NULL DEFAULT '',
    lease_until     INTEGER,                 -- NULL once released or finished
    attempts        INTEGER NOT NULL,
    message_id      TEXT    NOT NULL DEFAULT '',
    late            INTEGER NOT NULL DEFAULT 0,
    reason          TEXT    NOT NULL DEFAULT '',
    window_from     INTEGER,
    window_to       INTEGER,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, slot_at)
);

-- What briefbot remembers of each polled feed.
CREATE TABLE feeds (
    source        TEXT    PRIMARY KEY,
    url           TEXT    NOT NULL DEFAULT '',
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    polled        INTEGER NOT NULL DEFAULT 0,
    last_poll     INTEGER,
    last_success  INTEGER,
    failing_since INTEGER,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT ''
);
