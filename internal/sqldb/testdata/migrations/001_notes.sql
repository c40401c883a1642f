-- notes: an example package's own table.
CREATE TABLE IF NOT EXISTS example_notes (
    id   INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
