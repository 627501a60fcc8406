-- Records travel in chunks (contracts/chunk.py): a dead letter's original record is one
-- entry of the raw chunk at original_topic/partition/offset; original_position is its
-- index in that chunk (header shopflow.errors.original.position). Null for letters
-- recorded before chunks, or whose message did not say.
ALTER TABLE ops.dead_letters ADD COLUMN original_position integer;
