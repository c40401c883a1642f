-- review: the status a sampled summary gave its ticket (resolved,
-- awaiting_customer, awaiting_support), shown in the queue's rows.
ALTER TABLE review_queue ADD COLUMN status TEXT NOT NULL DEFAULT '';
