-- Campaigns, contents with per-network overrides, and publications: one per
-- (content, social account) target, with the state machine the organization
-- grain drives (DESIGN.md §6), its timeline and every provider attempt.
CREATE TABLE campaigns (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    objective       text NOT NULL DEFAULT '' CHECK (length(objective) <= 2000),
    starts_at       timestamptz,
    ends_at         timestamptz,
    status          text NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'active', 'paused', 'completed', 'archived')),
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at),
    UNIQUE (organization_id, id)
);
CREATE INDEX campaigns_org ON campaigns (organization_id, created_at, id) WHERE deleted_at IS NULL;
CREATE TRIGGER campaigns_touch BEFORE UPDATE ON campaigns FOR EACH ROW EXECUTE FUNCTION smm_touch_updated_at();
ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY campaigns_scoped ON campaigns FOR ALL
    USING (organization_id = smm_current_organization_id())
    WITH CHECK (organization_id = smm_current_organization_id());

CREATE TABLE contents (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    campaign_id     uuid,
    title           text NOT NULL DEFAULT '' CHECK (length(title) <= 1000),
    body            text NOT NULL DEFAULT '' CHECK (length(body) <= 20000),
    hashtags        text[] NOT NULL DEFAULT '{}',
    media           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(media) = 'array'),
    overrides       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(overrides) = 'object'),
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    -- A content's campaign is of the same organization.
    FOREIGN KEY (organization_id, campaign_id) REFERENCES campaigns (organization_id, id),
    UNIQUE (organization_id, id)
);
CREATE INDEX contents_org ON contents (organization_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contents_campaign ON contents (organization_id, campaign_id) WHERE deleted_at IS NULL;
CREATE TRIGGER contents_touch BEFORE UPDATE ON contents FOR EACH ROW EXECUTE FUNCTION smm_touch_updated_at();
ALTER TABLE contents ENABLE ROW LEVEL SECURITY;
ALTER TABLE contents FORCE ROW LEVEL SECURITY;
CREATE POLICY contents_scoped ON contents FOR ALL
    USING (organization_id = smm_current_organization_id())
    WITH CHECK (organization_id = smm_current_organization_id());

ALTER TABLE social_accounts ADD CONSTRAINT social_accounts_org_id UNIQUE (organization_id, id);
-- What the provider told of the account's posting options (TikTok's
-- creator_info: privacy_level_options…), kept for validation at scheduling.
ALTER TABLE social_accounts ADD COLUMN posting_options jsonb;

CREATE TABLE publications (
    id                uuid PRIMARY KEY,
    organization_id   uuid NOT NULL REFERENCES organizations (id),
    content_id        uuid NOT NULL,
    social_account_id uuid NOT NULL,
    provider          text NOT NULL CHECK (provider IN ('instagram', 'tiktok', 'youtube')),
    status            text NOT NULL DEFAULT 'scheduled' CHECK (status IN
                      ('scheduled', 'publishing', 'published', 'retry_scheduled', 'failed', 'unknown_outcome', 'cancelled')),
    publish_at        timestamptz NOT NULL,
    -- When the grain must act next: publish_at, the retry time, the end of
    -- a claim's lease; NULL once there is nothing left to do.
    due_at            timestamptz,
    retries_used      integer NOT NULL DEFAULT 0,
    attempts_started  integer NOT NULL DEFAULT 0,
    -- The claim: who is calling the provider for it, until when.
    claim_token       uuid,
    claimed_by        text,
    lease_until       timestamptz,
    -- The attempt's outcome may be unknown: ask the provider before any new
    -- call (reconciliation).
    needs_reconcile   boolean NOT NULL DEFAULT false,
    -- What was sent, to recognise the post at the provider (reconciliation):
    -- the SHA-256 of the rendered caption/title, and when the first call began.
    marker            text NOT NULL DEFAULT '',
    first_call_at     timestamptz,
    external_id       text,
    external_url      text,
    published_at      timestamptz,
    failure_reason    text NOT NULL DEFAULT '',
    last_error_class  text NOT NULL DEFAULT '',
    last_error_code   text NOT NULL DEFAULT '',
    last_error_message text NOT NULL DEFAULT '',
    created_by        uuid REFERENCES users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, content_id) REFERENCES contents (organization_id, id),
    FOREIGN KEY (organization_id, social_account_id) REFERENCES social_accounts (organization_id, id),
    CHECK ((status IN ('scheduled', 'publishing', 'retry_scheduled', 'unknown_outcome')) = (due_at IS NOT NULL))
);
-- One live publication per content and account.
CREATE UNIQUE INDEX publications_target ON publications (content_id, social_account_id) WHERE status <> 'cancelled';
CREATE INDEX publications_org ON publications (organization_id, created_at, id);
CREATE INDEX publications_org_publish ON publications (organization_id, publish_at, id);
CREATE INDEX publications_due ON publications (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX publications_org_due ON publications (organization_id, due_at) WHERE due_at IS NOT NULL;
CREATE INDEX publications_content ON publications (organization_id, content_id);
CREATE UNIQUE INDEX publications_external ON publications (social_account_id, external_id) WHERE external_id IS NOT NULL;
CREATE TRIGGER publications_touch BEFORE UPDATE ON publications FOR EACH ROW EXECUTE FUNCTION smm_touch_updated_at();
ALTER TABLE publications ENABLE ROW LEVEL SECURITY;
ALTER TABLE publications FORCE ROW LEVEL SECURITY;
CREATE POLICY publications_scoped ON publications FOR ALL
    USING (organization_id = smm_current_organization_id())
    WITH CHECK (organization_id = smm_current_organization_id());
CREATE POLICY publications_owner_read ON publications FOR SELECT TO CURRENT_USER USING (true);

-- Every state change of a publication, oldest first.
CREATE TABLE publication_transitions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    publication_id  uuid NOT NULL REFERENCES publications (id),
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    from_status     text,
    to_status       text NOT NULL,
    reason          text NOT NULL DEFAULT ''
);
CREATE INDEX publication_transitions_pub ON publication_transitions (organization_id, publication_id, id);
ALTER TABLE publication_transitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE publication_transitions FORCE ROW LEVEL SECURITY;
CREATE POLICY publication_transitions_scoped ON publication_transitions FOR ALL
    USING (organization_id = smm_current_organization_id())
    WITH CHECK (organization_id = smm_current_organization_id());

-- Every call to the provider for a publication.
CREATE TABLE publication_attempts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    publication_id  uuid NOT NULL REFERENCES publications (id),
    number          integer NOT NULL,
    claim_token     uuid NOT NULL,
    member          text NOT NULL DEFAULT '',
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at     timestamptz,
    outcome         text NOT NULL DEFAULT 'in_progress' CHECK (outcome IN
                    ('in_progress', 'published', 'failed', 'deferred', 'retry', 'unknown', 'reconciled')),
    error_class     text NOT NULL DEFAULT '',
    error_code      text NOT NULL DEFAULT '',
    error_message   text NOT NULL DEFAULT '',
    UNIQUE (publication_id, number)
);
CREATE INDEX publication_attempts_pub ON publication_attempts (organization_id, publication_id, number);
ALTER TABLE publication_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE publication_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY publication_attempts_scoped ON publication_attempts FOR ALL
    USING (organization_id = smm_current_organization_id())
    WITH CHECK (organization_id = smm_current_organization_id());

-- Organizations with publishing work due before horizon, and with
-- include_claimed those with a claim in flight (a cluster topology change:
-- the claimant may be gone): the schedule sweep wakes their grains. Only ids
-- leave.
CREATE FUNCTION smm_orgs_with_due_publications(horizon timestamptz, include_claimed boolean)
RETURNS TABLE (organization_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT DISTINCT organization_id FROM publications
    WHERE due_at IS NOT NULL AND (due_at < horizon OR (include_claimed AND status = 'publishing'))
$$;
