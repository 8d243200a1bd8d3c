-- name: PartyListStage :execrows
-- PartyListStage stages a party list under its digest; staging the same
-- list again changes nothing.
INSERT INTO party_lists (list_id, no, party_id, name, side)
SELECT @list_id::text, unnest(@nos::integer[]), unnest(@party_ids::text[]), unnest(@names::text[]),
       unnest(@sides::text[])
ON CONFLICT (list_id, no) DO NOTHING;

-- name: PartyListMembers :many
SELECT no, party_id, name, side FROM party_lists WHERE list_id = @list_id ORDER BY no;
