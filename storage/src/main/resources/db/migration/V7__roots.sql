-- Daily transparency roots (docs/evidence.md, "Daily transparency root"): publication tracking,
-- and the database-level guarantee that a sealed root is never changed or removed.

-- When the row's current content was last published (null: not yet, or re-anchored since).
ALTER TABLE audit.transparency_roots ADD COLUMN published_at timestamptz;

CREATE INDEX transparency_roots_unpublished ON audit.transparency_roots (computed_at)
  WHERE published_at IS NULL;

-- A sealed root is evidence: its content may never change (only published_at may be set), it
-- cannot be unsealed, and no root row may be deleted.
CREATE FUNCTION audit.transparency_roots_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'transparency_roots rows cannot be deleted' USING ERRCODE = 'P0001';
  END IF;
  IF OLD.sealed AND (NEW.sealed IS DISTINCT FROM OLD.sealed
      OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
      OR NEW.root_date IS DISTINCT FROM OLD.root_date
      OR NEW.root_hash IS DISTINCT FROM OLD.root_hash
      OR NEW.prev_root_hash IS DISTINCT FROM OLD.prev_root_hash
      OR NEW.leaf_count IS DISTINCT FROM OLD.leaf_count
      OR NEW.tree_size IS DISTINCT FROM OLD.tree_size
      OR NEW.leaf_range_start_id IS DISTINCT FROM OLD.leaf_range_start_id
      OR NEW.leaf_range_end_id IS DISTINCT FROM OLD.leaf_range_end_id
      OR NEW.window_end IS DISTINCT FROM OLD.window_end
      OR NEW.signing_key_fingerprint IS DISTINCT FROM OLD.signing_key_fingerprint
      OR NEW.signed_root_payload IS DISTINCT FROM OLD.signed_root_payload
      OR NEW.signature IS DISTINCT FROM OLD.signature
      OR NEW.computed_at IS DISTINCT FROM OLD.computed_at) THEN
    RAISE EXCEPTION 'sealed transparency root is immutable' USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER transparency_roots_guard BEFORE UPDATE OR DELETE ON audit.transparency_roots
  FOR EACH ROW EXECUTE FUNCTION audit.transparency_roots_guard();
CREATE TRIGGER transparency_roots_no_truncate BEFORE TRUNCATE ON audit.transparency_roots
  FOR EACH STATEMENT EXECUTE FUNCTION audit.forbid_mutation();
