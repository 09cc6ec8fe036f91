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
    -- The article's key in the full-text index: its published second times 2^24, plus a
    -- sequence number among the articles of that second. The index keeps its entries in key
    -- order, so a published window is a range of keys and the newest matches come first.
    time_key    INTEGER NOT NULL UNIQUE,
    first_seen  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    hash        TEXT    NOT NULL,            -- briefing.ContentHash of the body
    -- briefing.Fingerprint of the body (0: too short to have one), for the near-duplicate check.
    fingerprint INTEGER NOT NULL,
    body_start  INTEGER NOT NULL,
    headline    TEXT    NOT NULL,
    lede        TEXT    NOT NULL DEFAULT '',
    -- The quotes and speakers found at ingest, encoded (see analysis.go).
    analysis    BLOB    NOT NULL,
    -- The text comes last: SQLite reads a row's columns in order, and the text often spills
    -- into overflow pages that the lookups of the columns above need not read.
    text        TEXT    NOT NULL
);
-- The published index holds the fingerprint, so that the near-duplicate check reads the
-- fingerprints of a time window from the index alone.
CREATE INDEX articles_published ON articles (published, fingerprint);
CREATE INDEX articles_source ON articles (source_key, published);
CREATE INDEX articles_first_seen ON articles (first_seen);
CREATE INDEX articles_hash ON articles (hash);

-- The full-text index of each article's search terms (the words of its headline and of the
-- first 100,000 characters of its text, folded and stemmed by the store: see terms.go), under the
-- article's time_key. The terms are single words separated by spaces, which the ascii tokenizer
-- splits at no cost. It stores no copy of the terms (contentless) and supports deleting by key.
-- The store writes it explicitly, at the end of each transaction that saves articles, in key
-- order: FTS5 flushes its pending terms at every statement savepoint and whenever keys go down,
-- so writing it row by row among the other statements (as a trigger on articles would) makes
-- bulk ingest several times slower. Deleting an article keeps it in sync through the trigger.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    terms,
    content = '', contentless_delete = 1,
    tokenize = 'ascii'
);
INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 16);
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.time_key;
END;

-- The people quoted in each article, by name and surname, for speaker: filters (the names as
-- written are in articles.analysis). The reference is checked at commit, so that an insert
-- cannot fail half-way and needs no statement journal.
CREATE TABLE speakers (
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    seq         INTEGER NOT NULL,
    name_key    TEXT    NOT NULL,
    surname_key TEXT    NOT NULL,
    PRIMARY KEY (article_id, seq)
) WITHOUT ROWID;

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
    updated_at  INTEGER NOT NULL,            -- when the schedule or time zone last changed
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
