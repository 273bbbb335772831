CREATE TABLE tags (
    id              bigserial PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name            text NOT NULL,
    UNIQUE (organization_id, name)
);

INSERT INTO applied_log (version) VALUES (3);
