-- The archive's schema as nai.store.schema's migrations leave it (python -m nai.store.schema)
;
CREATE TABLE "_nai_migrations" (
   "name" TEXT PRIMARY KEY,
   "applied_at" TEXT
)
;
CREATE TABLE "authors" (
   "id" INTEGER PRIMARY KEY,
   "name" TEXT NOT NULL,
   "blurb" TEXT,
   "updated_at" TEXT
)
;
CREATE UNIQUE INDEX "idx_authors_name"
    ON "authors" ("name")
;
CREATE TABLE "raw_pages" (
   "id" INTEGER PRIMARY KEY,
   "sha256" TEXT NOT NULL,
   "content" BLOB NOT NULL,
   "size" INTEGER NOT NULL,
   "url" TEXT,
   "source" TEXT,
   "stored_at" TEXT NOT NULL
, "codec" TEXT, "dict_id" INTEGER, "charset" TEXT)
;
CREATE UNIQUE INDEX "idx_raw_pages_sha256"
    ON "raw_pages" ("sha256")
;
CREATE TABLE "articles" (
   "id" INTEGER PRIMARY KEY,
   "key" TEXT NOT NULL,
   "url" TEXT,
   "site" TEXT,
   "headline" TEXT NOT NULL,
   "published" TEXT,
   "section" TEXT,
   "read_count" INTEGER,
   "body" TEXT NOT NULL,
   "author_id" INTEGER REFERENCES "authors"("id"),
   "rules" TEXT,
   "content_key" TEXT NOT NULL,
   "fingerprint" TEXT NOT NULL,
   "raw_page_id" INTEGER REFERENCES "raw_pages"("id"),
   "first_seen" TEXT NOT NULL,
   "updated_at" TEXT,
   "last_seen" TEXT
, "removed_at" TEXT, "removed_status" INTEGER, "fts_key" INTEGER, "seen_at" TEXT)
;
CREATE UNIQUE INDEX "idx_articles_key"
    ON "articles" ("key")
;
CREATE INDEX "idx_articles_content_key"
    ON "articles" ("content_key")
;
CREATE INDEX "idx_articles_published"
    ON "articles" ("published")
;
CREATE TABLE "related" (
   "article_id" INTEGER REFERENCES "articles"("id"),
   "position" INTEGER,
   "headline" TEXT NOT NULL,
   "url" TEXT NOT NULL,
   "url_key" TEXT NOT NULL,
   "summary" TEXT,
   "target_id" INTEGER REFERENCES "articles"("id"),
   PRIMARY KEY ("article_id", "position")
)
;
CREATE INDEX "idx_related_url_key"
    ON "related" ("url_key")
;
CREATE INDEX "idx_related_target_id"
    ON "related" ("target_id")
;
CREATE TABLE "read_counts" (
   "article_id" INTEGER REFERENCES "articles"("id"),
   "observed_at" TEXT,
   "read_count" INTEGER NOT NULL,
   PRIMARY KEY ("article_id", "observed_at")
)
;
CREATE TABLE "versions" (
   "article_id" INTEGER REFERENCES "articles"("id"),
   "version" INTEGER,
   "headline" TEXT NOT NULL,
   "published" TEXT,
   "body" TEXT NOT NULL,
   "reason" TEXT NOT NULL,
   "raw_page_id" INTEGER REFERENCES "raw_pages"("id"),
   "saved_at" TEXT NOT NULL, "seen_at" TEXT,
   PRIMARY KEY ("article_id", "version")
)
;
CREATE TABLE "urls" (
   "key" TEXT PRIMARY KEY,
   "url" TEXT NOT NULL,
   "kind" TEXT NOT NULL,
   "parent" TEXT,
   "first_seen" TEXT NOT NULL,
   "last_fetched" TEXT,
   "status" INTEGER,
   "etag" TEXT,
   "last_modified" TEXT,
   "lastmod" TEXT,
   "fetched_lastmod" TEXT,
   "article_id" INTEGER REFERENCES "articles"("id"),
   "error" TEXT,
   "body" TEXT
)
;
CREATE INDEX "idx_urls_article_id"
    ON "urls" ("article_id")
;
CREATE INDEX "idx_urls_kind_last_fetched"
    ON "urls" ("kind", "last_fetched")
;
CREATE TABLE "runs" (
   "id" INTEGER PRIMARY KEY,
   "started_at" TEXT,
   "ended_at" TEXT,
   "site" TEXT,
   "new" INTEGER,
   "updated" INTEGER,
   "unchanged" INTEGER,
   "refreshed" INTEGER,
   "removed" INTEGER,
   "skipped" INTEGER,
   "failed" INTEGER,
   "requests" INTEGER,
   "bytes" INTEGER,
   "seconds" REAL,
   "errors" TEXT
, "fields" TEXT)
;
CREATE UNIQUE INDEX "idx_articles_fts_key"
    ON "articles" ("fts_key")
;
CREATE VIRTUAL TABLE articles_fts USING fts5 (headline, body, tokenize='unicode61 remove_diacritics 2', content='articles_fts_text', content_rowid='fts_key')
;
CREATE TABLE "raw_dicts" (
   "id" INTEGER PRIMARY KEY,
   "site" TEXT,
   "content" BLOB NOT NULL,
   "size" INTEGER NOT NULL,
   "created_at" TEXT NOT NULL
, "signature" TEXT)
;
CREATE INDEX "idx_raw_dicts_site"
    ON "raw_dicts" ("site")
;
CREATE INDEX "idx_articles_first_seen"
    ON "articles" ("first_seen")
;
CREATE INDEX "idx_raw_dicts_site_signature"
    ON "raw_dicts" ("site", "signature")
;
CREATE INDEX "idx_read_counts_observed_at"
    ON "read_counts" ("observed_at")
;
CREATE INDEX "idx_articles_section_published"
    ON "articles" ("section", "published")
;
CREATE INDEX "idx_articles_author_id_published"
    ON "articles" ("author_id", "published")
;
CREATE INDEX idx_articles_month ON articles (substr(published, 1, 7), published)
;
CREATE INDEX "idx_articles_section_author_id"
    ON "articles" ("section", "author_id")
;
CREATE INDEX "idx_articles_author_id_section"
    ON "articles" ("author_id", "section")
;
CREATE VIEW articles_fts_text AS
  SELECT fts_key, CASE WHEN instr(CAST(headline AS BLOB), x'D9') THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(headline, char(1600), ''), char(1611), ''), char(1612), ''), char(1613), ''), char(1614), ''), char(1615), ''), char(1616), ''), char(1617), ''), char(1618), ''), char(1619), ''), char(1620), ''), char(1621), ''), char(1622), ''), char(1623), ''), char(1624), ''), char(1625), ''), char(1626), ''), char(1627), ''), char(1628), ''), char(1629), ''), char(1630), ''), char(1631), ''), char(1648), '') ELSE headline END AS headline, CASE WHEN instr(CAST(body AS BLOB), x'D9') THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(body, char(1600), ''), char(1611), ''), char(1612), ''), char(1613), ''), char(1614), ''), char(1615), ''), char(1616), ''), char(1617), ''), char(1618), ''), char(1619), ''), char(1620), ''), char(1621), ''), char(1622), ''), char(1623), ''), char(1624), ''), char(1625), ''), char(1626), ''), char(1627), ''), char(1628), ''), char(1629), ''), char(1630), ''), char(1631), ''), char(1648), '') ELSE body END AS body FROM articles
;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, headline, body)
  VALUES ('delete', old.fts_key, CASE WHEN instr(CAST(old.headline AS BLOB), x'D9') THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(old.headline, char(1600), ''), char(1611), ''), char(1612), ''), char(1613), ''), char(1614), ''), char(1615), ''), char(1616), ''), char(1617), ''), char(1618), ''), char(1619), ''), char(1620), ''), char(1621), ''), char(1622), ''), char(1623), ''), char(1624), ''), char(1625), ''), char(1626), ''), char(1627), ''), char(1628), ''), char(1629), ''), char(1630), ''), char(1631), ''), char(1648), '') ELSE old.headline END, CASE WHEN instr(CAST(old.body AS BLOB), x'D9') THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(old.body, char(1600), ''), char(1611), ''), char(1612), ''), char(1613), ''), char(1614), ''), char(1615), ''), char(1616), ''), char(1617), ''), char(1618), ''), char(1619), ''), char(1620), ''), char(1621), ''), char(1622), ''), char(1623), ''), char(1624), ''), char(1625), ''), char(1626), ''), char(1627), ''), char(1628), ''), char(1629), ''), char(1630), ''), char(1631), ''), char(1648), '') ELSE old.body END);
END
;
CREATE TRIGGER articles_au AFTER UPDATE OF headline, body, fts_key ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, headline, body)
  VALUES ('delete', old.fts_key, CASE WHEN instr(CAST(old.headline AS BLOB), x'D9') THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(old.headline, char(1600), ''), char(1611), ''), char(1612), ''), char(1613), ''), char(1614), ''), char(1615), ''), char(1616), ''), char(1617), ''), char(1618), ''), char(1619), ''), char(1620), ''), char(1621), ''), char(1622), ''), char(1623), ''), char(1624), ''), char(1625), ''), char(1626), ''), char(1627), ''), char(1628), ''), char(1629), ''), char(1630), ''), char(1631), ''), char(1648), '') ELSE old.headline END, CASE WHEN instr(CAST(old.body AS BLOB), x'D9') THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(old.body, char(1600), ''), char(1611), ''), char(1612), ''), char(1613), ''), char(1614), ''), char(1615), ''), char(1616), ''), char(1617), ''), char(1618), ''), char(1619), ''), char(1620), ''), char(1621), ''), char(1622), ''), char(1623), ''), char(1624), ''), char(1625), ''), char(1626), ''), char(1627), ''), char(1628), ''), char(1629), ''), char(1630), ''), char(1631), ''), char(1648), '') ELSE old.body END);
  INSERT INTO articles_fts (rowid, headline, body)
  VALUES (new.fts_key, CASE WHEN instr(CAST(new.headline AS BLOB), x'D9') THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.headline, char(1600), ''), char(1611), ''), char(1612), ''), char(1613), ''), char(1614), ''), char(1615), ''), char(1616), ''), char(1617), ''), char(1618), ''), char(1619), ''), char(1620), ''), char(1621), ''), char(1622), ''), char(1623), ''), char(1624), ''), char(1625), ''), char(1626), ''), char(1627), ''), char(1628), ''), char(1629), ''), char(1630), ''), char(1631), ''), char(1648), '') ELSE new.headline END, CASE WHEN instr(CAST(new.body AS BLOB), x'D9') THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.body, char(1600), ''), char(1611), ''), char(1612), ''), char(1613), ''), char(1614), ''), char(1615), ''), char(1616), ''), char(1617), ''), char(1618), ''), char(1619), ''), char(1620), ''), char(1621), ''), char(1622), ''), char(1623), ''), char(1624), ''), char(1625), ''), char(1626), ''), char(1627), ''), char(1628), ''), char(1629), ''), char(1630), ''), char(1631), ''), char(1648), '') ELSE new.body END);
END
;
