CREATE TABLE "loyalty_campaign_budget_reservations" (
    "program_id" TEXT NOT NULL,
    "transaction_id" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_campaign_budget_reservations" PRIMARY KEY ("program_id", "transaction_id", "rule_id")
);


CREATE TABLE "loyalty_campaign_budgets" (
    "program_id" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "used" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_campaign_budgets" PRIMARY KEY ("program_id", "rule_id")
);


CREATE TABLE "loyalty_card_range_locks" (
    "program_id" TEXT NOT NULL CONSTRAINT "PK_loyalty_card_range_locks" PRIMARY KEY,
    "imports" INTEGER NOT NULL
);


CREATE TABLE "loyalty_card_ranges" (
    "program_id" TEXT NOT NULL,
    "range_id" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "first_serial" INTEGER NOT NULL,
    "last_serial" INTEGER NOT NULL,
    "imported_at" INTEGER NOT NULL,
    "taken" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_card_ranges" PRIMARY KEY ("program_id", "range_id")
);


CREATE TABLE "loyalty_card_status_history" (
    "program_id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "event" INTEGER NOT NULL,
    "at" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "related" TEXT NULL,
    CONSTRAINT "PK_loyalty_card_status_history" PRIMARY KEY ("program_id", "number", "sequence")
);


CREATE TABLE "loyalty_cards" (
    "program_id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "issued_at" INTEGER NOT NULL,
    "member_ordinal" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_cards" PRIMARY KEY ("program_id", "number")
);


CREATE TABLE "loyalty_contact_history" (
    "program_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "channel" INTEGER NOT NULL,
    "category" INTEGER NOT NULL,
    "message_type" TEXT NOT NULL,
    "sent_at" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_contact_history" PRIMARY KEY ("program_id", "message_id")
);


CREATE TABLE "loyalty_data_rights_audit" (
    "program_id" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "action" INTEGER NOT NULL,
    "at" INTEGER NOT NULL,
    "requested_by" TEXT NOT NULL,
    "member_id" TEXT NULL,
    "status" INTEGER NOT NULL,
    "records" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_data_rights_audit" PRIMARY KEY ("program_id", "request_id")
);


CREATE TABLE "loyalty_erased_members" (
    "program_id" TEXT NOT NULL,
    "marker" TEXT NOT NULL,
    CONSTRAINT "PK_loyalty_erased_members" PRIMARY KEY ("program_id", "marker")
);


CREATE TABLE "loyalty_household_members" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "household_id" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "joined_at" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_household_members" PRIMARY KEY ("program_id", "member_id")
);


CREATE TABLE "loyalty_households" (
    "program_id" TEXT NOT NULL,
    "household_id" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "created_at" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_households" PRIMARY KEY ("program_id", "household_id")
);


CREATE TABLE "loyalty_ledger_accounts" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "updated_at" INTEGER NOT NULL,
    "lot_points" INTEGER NOT NULL,
    "debt" INTEGER NOT NULL,
    "earned" INTEGER NOT NULL,
    "redeemed" INTEGER NOT NULL,
    "expired" INTEGER NOT NULL,
    "reversed" INTEGER NOT NULL,
    "adjusted" INTEGER NOT NULL,
    "written_off" INTEGER NOT NULL,
    "last_activity_at" INTEGER NULL,
    "available_snapshot" INTEGER NOT NULL,
    "pending_snapshot" INTEGER NOT NULL,
    "held_snapshot" INTEGER NOT NULL,
    "next_change_at" INTEGER NULL,
    "next_expiry_at" INTEGER NULL,
    "chain_hash" BLOB NULL,
    CONSTRAINT "PK_loyalty_ledger_accounts" PRIMARY KEY ("program_id", "member_id"),
    CONSTRAINT "ck_loyalty_ledger_accounts_chain_hash" CHECK (chain_hash IS NULL OR length(chain_hash) = 32),
    CONSTRAINT "ck_loyalty_ledger_accounts_snapshots" CHECK (pending_snapshot >= 0 AND held_snapshot >= 0),
    CONSTRAINT "ck_loyalty_ledger_accounts_totals" CHECK (lot_points >= 0 AND debt >= 0 AND earned >= 0 AND redeemed >= 0 AND expired >= 0 AND reversed >= 0 AND written_off >= 0),
    CONSTRAINT "ck_loyalty_ledger_accounts_version" CHECK (version >= 1)
);


CREATE TABLE "loyalty_maintenance_leases" (
    "program_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "holder" TEXT NULL,
    "expires_at" INTEGER NOT NULL,
    "last_completed_at" INTEGER NULL,
    CONSTRAINT "PK_loyalty_maintenance_leases" PRIMARY KEY ("program_id", "name")
);


CREATE TABLE "loyalty_member_achievements" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "display_name" TEXT NULL,
    "leaderboard_opt_out" INTEGER NOT NULL,
    "state_json" TEXT NOT NULL,
    CONSTRAINT "PK_loyalty_member_achievements" PRIMARY KEY ("program_id", "member_id")
);


CREATE TABLE "loyalty_member_activities" (
    "program_id" TEXT NOT NULL,
    "activity_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "occurred_at" INTEGER NOT NULL,
    "event_name" TEXT NULL,
    "merchant_id" TEXT NULL,
    "earning_json" TEXT NOT NULL,
    "transaction_id" TEXT NULL,
    "recorded_at" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_member_activities" PRIMARY KEY ("program_id", "activity_id")
);


CREATE TABLE "loyalty_member_consents" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "channel" INTEGER NOT NULL,
    "at" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    CONSTRAINT "PK_loyalty_member_consents" PRIMARY KEY ("program_id", "member_id", "channel", "at")
);


CREATE TABLE "loyalty_member_histories" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_member_histories" PRIMARY KEY ("program_id", "member_id")
);


CREATE TABLE "loyalty_member_orders" (
    "program_id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "placed_at" INTEGER NOT NULL,
    "order_json" TEXT NOT NULL,
    "earning_json" TEXT NOT NULL,
    "tier_id" TEXT NULL,
    "transaction_id" TEXT NOT NULL,
    "recorded_at" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_member_orders" PRIMARY KEY ("program_id", "order_id")
);


CREATE TABLE "loyalty_member_refunds" (
    "program_id" TEXT NOT NULL,
    "refund_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "refund_json" TEXT NOT NULL,
    "result_json" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "refunded_at" INTEGER NOT NULL,
    "transaction_id" TEXT NULL,
    "recorded_at" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_member_refunds" PRIMARY KEY ("program_id", "refund_id")
);


CREATE TABLE "loyalty_members" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "partition_key" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "enrolled_at" INTEGER NOT NULL,
    "birth_date" TEXT NULL,
    "referral_code" TEXT NOT NULL,
    "referred_by" TEXT NULL,
    "referral_completed_by" TEXT NULL,
    "tier_status" TEXT NULL,
    "last_maintained_at" INTEGER NULL,
    "evaluation" TEXT NULL,
    CONSTRAINT "PK_loyalty_members" PRIMARY KEY ("program_id", "member_id")
);


CREATE TABLE "loyalty_merchant_rule_sets" (
    "program_id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "effective_from" INTEGER NOT NULL,
    "definition_json" TEXT NOT NULL,
    CONSTRAINT "PK_loyalty_merchant_rule_sets" PRIMARY KEY ("program_id", "merchant_id", "version")
);


CREATE TABLE "loyalty_partners" (
    "program_id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "joined_on" INTEGER NOT NULL,
    "left_on" INTEGER NULL,
    "version" INTEGER NOT NULL,
    "lock" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_partners" PRIMARY KEY ("program_id", "merchant_id")
);


CREATE TABLE "loyalty_points_transfers" (
    "program_id" TEXT NOT NULL,
    "transfer_id" TEXT NOT NULL,
    "sender_id" TEXT NOT NULL,
    "recipient_id" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "points" INTEGER NOT NULL,
    "message" TEXT NULL,
    "transferred_at" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "legs_json" TEXT NOT NULL,
    CONSTRAINT "PK_loyalty_points_transfers" PRIMARY KEY ("program_id", "transfer_id")
);


CREATE TABLE "loyalty_prepaid_draws" (
    "program_id" TEXT NOT NULL,
    "transaction_id" TEXT NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "block_id" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_prepaid_draws" PRIMARY KEY ("program_id", "transaction_id", "ordinal")
);


CREATE TABLE "loyalty_reward_code_uses" (
    "program_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "used_at" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_reward_code_uses" PRIMARY KEY ("program_id", "code", "order_id")
);


CREATE TABLE "loyalty_reward_codes" (
    "program_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "redemption_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "reward_id" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "benefit" TEXT NOT NULL,
    "points_spent" INTEGER NOT NULL,
    "issued_at" INTEGER NOT NULL,
    "expires_at" INTEGER NOT NULL,
    "max_uses" INTEGER NOT NULL,
    "uses" INTEGER NOT NULL,
    "return_points_on_expiry" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "closed_at" INTEGER NULL,
    "points_returned" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_reward_codes" PRIMARY KEY ("program_id", "code")
);


CREATE TABLE "loyalty_reward_redemptions" (
    "program_id" TEXT NOT NULL,
    "redemption_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "reward_id" TEXT NOT NULL,
    "reward_name" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "benefit" TEXT NOT NULL,
    "points_spent" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "redeemed_at" INTEGER NOT NULL,
    "ledger_transaction_id" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "cancelled_at" INTEGER NULL,
    CONSTRAINT "PK_loyalty_reward_redemptions" PRIMARY KEY ("program_id", "redemption_id")
);


CREATE TABLE "loyalty_reward_stock_claims" (
    "program_id" TEXT NOT NULL,
    "reward_id" TEXT NOT NULL,
    "redemption_id" TEXT NOT NULL,
    "unit" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_reward_stock_claims" PRIMARY KEY ("program_id", "reward_id", "redemption_id")
);


CREATE TABLE "loyalty_rewards" (
    "program_id" TEXT NOT NULL,
    "reward_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "cost" INTEGER NOT NULL,
    "amount_off" TEXT NULL,
    "currency" TEXT NULL,
    "percentage" TEXT NULL,
    "gift_sku" TEXT NULL,
    "rate_points" INTEGER NULL,
    "rate_worth" TEXT NULL,
    "minimum_points" INTEGER NULL,
    "maximum_share_of_order" TEXT NULL,
    "required_tier" TEXT NULL,
    "stock" INTEGER NULL,
    "valid_from" INTEGER NULL,
    "valid_until" INTEGER NULL,
    "cost_to_shop" TEXT NULL,
    "cost_to_shop_currency" TEXT NULL,
    "code_validity_days" INTEGER NULL,
    "code_valid_through" TEXT NULL,
    "code_uses" INTEGER NOT NULL,
    "return_points_on_expiry" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_rewards" PRIMARY KEY ("program_id", "reward_id")
);


CREATE TABLE "loyalty_rule_sets" (
    "program_id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "effective_from" INTEGER NOT NULL,
    "definition_json" TEXT NOT NULL,
    CONSTRAINT "PK_loyalty_rule_sets" PRIMARY KEY ("program_id", "version")
);


CREATE TABLE "loyalty_settlement_runs" (
    "program_id" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "closed_at" INTEGER NULL,
    "content" TEXT NOT NULL,
    CONSTRAINT "PK_loyalty_settlement_runs" PRIMARY KEY ("program_id", "period")
);


CREATE TABLE "loyalty_ledger_holds" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "hold_id" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "created_at" INTEGER NOT NULL,
    "expires_at" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "captured" INTEGER NOT NULL,
    "closed_by" TEXT NULL,
    CONSTRAINT "PK_loyalty_ledger_holds" PRIMARY KEY ("program_id", "member_id", "hold_id"),
    CONSTRAINT "ck_loyalty_ledger_holds_amount" CHECK (amount > 0),
    CONSTRAINT "ck_loyalty_ledger_holds_captured" CHECK (captured >= 0 AND captured <= amount AND (status = 2 OR captured = 0)),
    CONSTRAINT "ck_loyalty_ledger_holds_status" CHECK (status BETWEEN 1 AND 4),
    CONSTRAINT "fk_loyalty_ledger_holds_account" FOREIGN KEY ("program_id", "member_id") REFERENCES "loyalty_ledger_accounts" ("program_id", "member_id") ON DELETE RESTRICT
);


CREATE TABLE "loyalty_ledger_lots" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "lot_id" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "original_amount" INTEGER NOT NULL,
    "remaining" INTEGER NOT NULL,
    "created_at" INTEGER NOT NULL,
    "available_at" INTEGER NOT NULL,
    "expires_at" INTEGER NULL,
    CONSTRAINT "PK_loyalty_ledger_lots" PRIMARY KEY ("program_id", "member_id", "lot_id"),
    CONSTRAINT "ck_loyalty_ledger_lots_availability" CHECK (available_at >= created_at),
    CONSTRAINT "ck_loyalty_ledger_lots_remaining" CHECK (original_amount >= 0 AND remaining >= 0 AND remaining <= original_amount),
    CONSTRAINT "ck_loyalty_ledger_lots_sequence" CHECK (sequence >= 1),
    CONSTRAINT "fk_loyalty_ledger_lots_account" FOREIGN KEY ("program_id", "member_id") REFERENCES "loyalty_ledger_accounts" ("program_id", "member_id") ON DELETE RESTRICT
);


CREATE TABLE "loyalty_ledger_transactions" (
    "program_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" INTEGER NOT NULL,
    "recorded_at" INTEGER NOT NULL,
    "effective_at" INTEGER NOT NULL,
    "amount" INTEGER NOT NULL,
    "related_id" TEXT NULL,
    "pending_period" INTEGER NULL,
    "requested_expires_at" INTEGER NULL,
    "is_whole_capture" INTEGER NOT NULL,
    "available_at" INTEGER NULL,
    "expires_at" INTEGER NULL,
    "reason" TEXT NULL,
    "actor" TEXT NULL,
    "applied" INTEGER NOT NULL,
    "debt_change" INTEGER NOT NULL,
    "written_off" INTEGER NOT NULL,
    "chain_hash" BLOB NULL,
    "merchant_id" TEXT NULL,
    CONSTRAINT "PK_loyalty_ledger_transactions" PRIMARY KEY ("program_id", "id"),
    CONSTRAINT "ux_loyalty_ledger_transactions_version" UNIQUE ("program_id", "member_id", "version"),
    CONSTRAINT "ck_loyalty_ledger_transactions_amount" CHECK ((kind IN (1, 2, 3, 7) AND amount > 0) OR (kind = 8 AND amount <> 0) OR (kind IN (4, 5, 6) AND amount >= 0)),
    CONSTRAINT "ck_loyalty_ledger_transactions_chain_hash" CHECK (chain_hash IS NULL OR length(chain_hash) = 32),
    CONSTRAINT "ck_loyalty_ledger_transactions_kind" CHECK (kind BETWEEN 1 AND 8),
    CONSTRAINT "ck_loyalty_ledger_transactions_reversal" CHECK (applied >= 0 AND written_off >= 0),
    CONSTRAINT "ck_loyalty_ledger_transactions_version" CHECK (version >= 1),
    CONSTRAINT "fk_loyalty_ledger_transactions_account" FOREIGN KEY ("program_id", "member_id") REFERENCES "loyalty_ledger_accounts" ("program_id", "member_id") ON DELETE RESTRICT
);


CREATE TABLE "loyalty_partner_agreements" (
    "program_id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "effective_from" INTEGER NOT NULL,
    "effective_until" INTEGER NULL,
    "currency" TEXT NOT NULL,
    "billing" INTEGER NOT NULL,
    "issuance_price" TEXT NOT NULL,
    "billing_percentage" TEXT NOT NULL,
    "reimbursement_price" TEXT NOT NULL,
    CONSTRAINT "PK_loyalty_partner_agreements" PRIMARY KEY ("program_id", "merchant_id", "version"),
    CONSTRAINT "fk_loyalty_partner_agreements_partner" FOREIGN KEY ("program_id", "merchant_id") REFERENCES "loyalty_partners" ("program_id", "merchant_id") ON DELETE RESTRICT
);


CREATE TABLE "loyalty_prepaid_blocks" (
    "program_id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "block_id" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "price_per_point" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "purchased_at" INTEGER NOT NULL,
    "expires_at" INTEGER NULL,
    "is_reserve" INTEGER NOT NULL,
    "drawn" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_prepaid_blocks" PRIMARY KEY ("program_id", "merchant_id", "block_id"),
    CONSTRAINT "ck_loyalty_prepaid_blocks_drawn" CHECK (drawn >= 0 AND drawn <= points),
    CONSTRAINT "fk_loyalty_prepaid_blocks_partner" FOREIGN KEY ("program_id", "merchant_id") REFERENCES "loyalty_partners" ("program_id", "merchant_id") ON DELETE RESTRICT
);


CREATE TABLE "loyalty_ledger_movements" (
    "program_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "lot_id" TEXT NOT NULL,
    "delta" INTEGER NOT NULL,
    CONSTRAINT "PK_loyalty_ledger_movements" PRIMARY KEY ("program_id", "member_id", "version", "ordinal"),
    CONSTRAINT "ck_loyalty_ledger_movements_ordinal" CHECK (version >= 1 AND ordinal >= 0),
    CONSTRAINT "fk_loyalty_ledger_movements_transaction" FOREIGN KEY ("program_id", "member_id", "version") REFERENCES "loyalty_ledger_transactions" ("program_id", "member_id", "version") ON DELETE RESTRICT
);


CREATE INDEX "ix_loyalty_card_ranges_first_serial" ON "loyalty_card_ranges" ("program_id", "first_serial");


CREATE INDEX "ix_loyalty_cards_member" ON "loyalty_cards" ("program_id", "member_id", "issued_at");


CREATE INDEX "ix_loyalty_contact_history_member" ON "loyalty_contact_history" ("program_id", "member_id", "sent_at");


CREATE INDEX "ix_loyalty_data_rights_audit_at" ON "loyalty_data_rights_audit" ("program_id", "at");


CREATE INDEX "ix_loyalty_data_rights_audit_member" ON "loyalty_data_rights_audit" ("program_id", "member_id");


CREATE UNIQUE INDEX "ux_loyalty_household_members_slot" ON "loyalty_household_members" ("program_id", "household_id", "slot");


CREATE INDEX "ix_loyalty_ledger_accounts_expiry" ON "loyalty_ledger_accounts" ("program_id", "next_expiry_at");


CREATE INDEX "ix_loyalty_ledger_holds_open" ON "loyalty_ledger_holds" ("program_id", "member_id", "status");


CREATE INDEX "ix_loyalty_ledger_lots_open" ON "loyalty_ledger_lots" ("program_id", "member_id", "remaining");


CREATE INDEX "ix_loyalty_ledger_transactions_recorded" ON "loyalty_ledger_transactions" ("program_id", "recorded_at");


CREATE INDEX "ix_loyalty_ledger_transactions_related" ON "loyalty_ledger_transactions" ("program_id", "member_id", "related_id");


CREATE INDEX "ix_loyalty_member_activities_member" ON "loyalty_member_activities" ("program_id", "member_id", "occurred_at");


CREATE INDEX "ix_loyalty_member_orders_member" ON "loyalty_member_orders" ("program_id", "member_id", "placed_at");


CREATE INDEX "ix_loyalty_member_orders_recorded" ON "loyalty_member_orders" ("program_id", "recorded_at", "order_id");


CREATE INDEX "ix_loyalty_member_refunds_member" ON "loyalty_member_refunds" ("program_id", "member_id", "refunded_at");


CREATE UNIQUE INDEX "ux_loyalty_member_refunds_order_sequence" ON "loyalty_member_refunds" ("program_id", "order_id", "sequence");


CREATE INDEX "ix_loyalty_members_partition" ON "loyalty_members" ("program_id", "partition_key", "member_id");


CREATE UNIQUE INDEX "ux_loyalty_members_referral_code" ON "loyalty_members" ("program_id", "referral_code");


CREATE UNIQUE INDEX "ux_loyalty_merchant_rule_sets_effective_from" ON "loyalty_merchant_rule_sets" ("program_id", "merchant_id", "effective_from");


CREATE INDEX "ix_loyalty_points_transfers_recipient" ON "loyalty_points_transfers" ("program_id", "recipient_id");


CREATE INDEX "ix_loyalty_points_transfers_sender" ON "loyalty_points_transfers" ("program_id", "sender_id", "transferred_at");


CREATE UNIQUE INDEX "ux_loyalty_points_transfers_sender_sequence" ON "loyalty_points_transfers" ("program_id", "sender_id", "sequence");


CREATE INDEX "ix_loyalty_reward_codes_due" ON "loyalty_reward_codes" ("program_id", "status", "expires_at", "code");


CREATE INDEX "ix_loyalty_reward_codes_member" ON "loyalty_reward_codes" ("program_id", "member_id");


CREATE UNIQUE INDEX "ux_loyalty_reward_codes_redemption" ON "loyalty_reward_codes" ("program_id", "redemption_id");


CREATE INDEX "ix_loyalty_reward_redemptions_member" ON "loyalty_reward_redemptions" ("program_id", "member_id", "redeemed_at");


CREATE UNIQUE INDEX "ux_loyalty_reward_stock_claims_unit" ON "loyalty_reward_stock_claims" ("program_id", "reward_id", "unit");


CREATE UNIQUE INDEX "ux_loyalty_rule_sets_effective_from" ON "loyalty_rule_sets" ("program_id", "effective_from");


DROP TRIGGER IF EXISTS "loyalty_ledger_transactions_no_update";
CREATE TRIGGER "loyalty_ledger_transactions_no_update" BEFORE UPDATE ON "loyalty_ledger_transactions" BEGIN SELECT RAISE(ABORT, 'The loyalty ledger table loyalty_ledger_transactions is append-only: UPDATE is refused.'); END;
DROP TRIGGER IF EXISTS "loyalty_ledger_transactions_no_delete";
CREATE TRIGGER "loyalty_ledger_transactions_no_delete" BEFORE DELETE ON "loyalty_ledger_transactions" BEGIN SELECT RAISE(ABORT, 'The loyalty ledger table loyalty_ledger_transactions is append-only: DELETE is refused.'); END;
DROP TRIGGER IF EXISTS "loyalty_ledger_movements_no_update";
CREATE TRIGGER "loyalty_ledger_movements_no_update" BEFORE UPDATE ON "loyalty_ledger_movements" BEGIN SELECT RAISE(ABORT, 'The loyalty ledger table loyalty_ledger_movements is append-only: UPDATE is refused.'); END;
DROP TRIGGER IF EXISTS "loyalty_ledger_movements_no_delete";
CREATE TRIGGER "loyalty_ledger_movements_no_delete" BEFORE DELETE ON "loyalty_ledger_movements" BEGIN SELECT RAISE(ABORT, 'The loyalty ledger table loyalty_ledger_movements is append-only: DELETE is refused.'); END;
