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
CREATE VIRTUAL TABLE articles_fts USING fts5 (headline, body, tokenize='unicode61 remove_diacritics 2', content='articles', content_rowid='fts_key')
;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, headline, body) VALUES ('delete', old.fts_key, old.headline, old.body);
END
;
CREATE TRIGGER articles_au AFTER UPDATE OF headline, body, fts_key ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, headline, body) VALUES ('delete', old.fts_key, old.headline, old.body);
  INSERT INTO articles_fts (rowid, headline, body) VALUES (new.fts_key, new.headline, new.body);
END
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
